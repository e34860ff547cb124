"""Mobile screens: image headers and the canvas frames are drawn on (pure)."""
