"""Mobile recordings: frames composited into pictures, actions from gestures and views (pure, but I/O in
`replay_data`)."""
