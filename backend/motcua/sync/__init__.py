"""The offline sync protocol: batch push with an outcome per record, holdings, scoped pull."""
