"""rrweb's event format read by Reel: event and node types, the DOM mirror, URLs in events and CSS (pure)."""
