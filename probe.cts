const { Parser, Language } = require('web-tree-sitter');
(async () => {
  await Parser.init();
  const lang = await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
  const p = new Parser(); p.setLanguage(lang);
  const src = `
import a.b as c, d.e
from . import config as cfg, x
from ..pkg.mod import (f as g, h)
from m import *
with Pool(4) as p, open(f) as (a, b):
    pass
try:
    pass
except (KeyError, ValueError) as e:
    pass
@dec(1)
def f(a, b=1, *args, c: int = 2, d: str, **kw) -> int:
    global X, Y
    yield x
x = [y for y, z in q if y]
s = f"a{b!r:>{w}}c"
t = (1 if c else 2)
X: int = 3
del X[k], Y
print(k=lambda q, *, r=2: q)
if __name__ == "__main__": pass
if not x: pass
a.b[c].d += 1
async def g(): await x
(y := 3)
`;
  const tree = p.parse(src);
  const show = (n: any, ind: string) => { const f = n.parent ? null : null; let line = ind + (n.isNamed ? n.type : JSON.stringify(n.type)); if (n.childCount === 0) line += ' ' + JSON.stringify(n.text); console.log(line); for (let i = 0; i < n.childCount; i++) { const c = n.child(i); const fn = n.fieldNameForChild(i); if (fn) console.log(ind + '  [' + fn + ']'); show(c, ind + '  '); } };
  show(tree.rootNode, '');
})();
