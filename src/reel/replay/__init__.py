"""The read path: stored replay data made safe and masked for the player (storage → replay → api/player)."""
