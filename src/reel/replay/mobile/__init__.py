"""Mobile replay: frames composited into the picture at a moment, gestures drawn, video export."""
