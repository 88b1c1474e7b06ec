-- Drives dist/server.js from Neovim 0.7 (headless) over stdio, as a second, independent
-- LSP client: diagnostics for main.py, hover on the flagged read, a code action applied.
-- Run by test/editor/neovim.e2e.ts:
--   nvim --headless -u NONE -i NONE -n -c "luafile test/editor/nvim-lsp.lua"
-- Environment: CROSSPROC_NODE, CROSSPROC_SERVER, CROSSPROC_WORKSPACE (a scratch copy of
-- test/editor/workspace), CROSSPROC_FIX_TITLES (titles to try, '|'-separated, first
-- match wins), CROSSPROC_OUT (the JSON this writes; the mocha test asserts it).
local env = function(name)
  local v = os.getenv(name)
  if not v or v == '' then
    io.stderr:write('missing ' .. name .. '\n')
    os.exit(2)
  end
  return v
end
local node, server, root, out_path = env('CROSSPROC_NODE'), env('CROSSPROC_SERVER'), env('CROSSPROC_WORKSPACE'), env('CROSSPROC_OUT')
local fix_titles = vim.split(env('CROSSPROC_FIX_TITLES'), '|', { plain = true })

local result = { errors = {} }
local function write_result()
  local f = assert(io.open(out_path, 'w'))
  f:write(vim.fn.json_encode(result))
  f:close()
end
local function fail(msg)
  table.insert(result.errors, msg)
  write_result()
  os.exit(1)
end

local ok, err = pcall(function()
  local diagnostics = {}
  local publish = vim.lsp.handlers['textDocument/publishDiagnostics']
  vim.lsp.handlers['textDocument/publishDiagnostics'] = function(e, res, ctx, config)
    if res then diagnostics[res.uri] = res.diagnostics end
    return publish(e, res, ctx, config)
  end

  local server_errors = {}
  local client_id = vim.lsp.start_client({
    name = 'crossproc',
    cmd = { node, server, '--stdio' },
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = 'workspace' } },
    on_error = function(code) table.insert(server_errors, tostring(code)) end,
  })
  if not client_id then fail('vim.lsp.start_client returned nil') end

  vim.cmd('filetype on') -- languageId comes from the filetype
  local file = root .. '/main.py'
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local uri = vim.uri_from_bufnr(buf)
  vim.lsp.buf_attach_client(buf, client_id)
  local client = vim.lsp.get_client_by_id(client_id)

  -- 1. diagnostics (pushed; poll with a deadline)
  local t0 = vim.loop.hrtime()
  local got = vim.wait(20000, function()
    return diagnostics[uri] ~= nil and #diagnostics[uri] > 0
  end, 20)
  if not got then fail('no diagnostics for ' .. uri .. ' within 20 s; server errors: ' .. table.concat(server_errors, ', ')) end
  local diags = diagnostics[uri]
  result.diagnosticsMs = math.floor((vim.loop.hrtime() - t0) / 1e6)
  result.diagnostics = {}
  for _, d in ipairs(diags) do
    table.insert(result.diagnostics, {
      code = d.code, source = d.source, message = d.message, severity = d.severity,
      line = d.range.start.line, character = d.range.start.character,
    })
  end
  local target
  for _, d in ipairs(diags) do
    if d.code == 'stale-global-read' then target = d end
  end
  if not target then fail('no stale-global-read diagnostic') end

  -- 2. hover in the middle of the flagged name
  local pos = { line = target.range.start.line, character = target.range.start.character + 2 }
  local caps = client.server_capabilities or {}
  result.capabilities = { hover = caps.hoverProvider and true or false, codeAction = caps.codeActionProvider and true or false }
  -- (Neovim 0.7 never calls back for a method the server does not advertise: no request then.)
  local hover = caps.hoverProvider and vim.lsp.buf_request_sync(buf, 'textDocument/hover', { textDocument = { uri = uri }, position = pos }, 10000)
  local h = hover and hover[client_id]
  result.hover = { error = h and h.err and h.err.message or vim.NIL, contents = vim.NIL, kind = vim.NIL }
  if h and h.result and h.result.contents then
    local c = h.result.contents
    if type(c) == 'string' then
      result.hover.contents, result.hover.kind = c, 'plaintext'
    elseif c.kind then
      result.hover.contents, result.hover.kind = c.value, c.kind
    else
      result.hover.contents = vim.fn.json_encode(c)
    end
  end

  -- 3. code actions for the diagnostic; apply the first wanted title offered
  local params = {
    textDocument = { uri = uri },
    range = target.range,
    context = { diagnostics = { target }, only = { 'quickfix' } },
  }
  local responses = caps.codeActionProvider and vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, 10000)
  local r = responses and responses[client_id]
  result.codeActions = { error = r and r.err and r.err.message or vim.NIL, titles = {} }
  local actions = (r and r.result) or {}
  for _, a in ipairs(actions) do table.insert(result.codeActions.titles, a.title) end

  local chosen
  for _, want in ipairs(fix_titles) do
    for _, a in ipairs(actions) do
      if not chosen and a.title:sub(1, #want) == want then chosen = a end
    end
  end
  if chosen then
    result.applied = { title = chosen.title, resolved = false, before = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') .. '\n' }
    if not chosen.edit and chosen.data ~= nil then
      local res = client.request_sync('codeAction/resolve', chosen, 10000, buf)
      if res and res.result then chosen = res.result end
      result.applied.resolved = true
      if res and res.err then result.applied.resolveError = res.err.message end
    end
    if chosen.edit then
      vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
      result.applied.hadEdit = true
    else
      result.applied.hadEdit = false
    end
    result.applied.after = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') .. '\n'
  end

  result.serverErrors = server_errors
  client.stop()
end)
if not ok then table.insert(result.errors, tostring(err)) end
write_result()
os.exit(ok and 0 or 1)
