// Vanilla Dapper emits IL at run time, which Native AOT cannot run: Dapper.AOT intercepts every call at build time.
[module: Dapper.DapperAot]
