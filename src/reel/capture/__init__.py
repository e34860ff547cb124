"""Capture: serving the web recorder (the TypeScript in web/src/recorder) to monitored pages."""
