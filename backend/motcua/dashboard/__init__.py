"""The coordinator's and the desk's dashboard: figures, server-rendered SVG charts, exports."""
