/**
 * Every framework model of both languages, for what spans them: the README's "Supported
 * frameworks" table and its test. The front ends read their own language's registry
 * (`python/index.ts`, `js/index.ts`).
 */
import type { FrameworkDoc } from './types';
import { PYTHON_FRAMEWORKS } from './python';
import { JS_MODELS } from './js';

export const FRAMEWORK_DOCS: readonly FrameworkDoc[] = [...PYTHON_FRAMEWORKS.map((m) => m.doc), ...JS_MODELS.map((m) => m.doc)];
