"""The demo shop: a small web shop with the Reel snippet installed, and a scripted visit to it."""
