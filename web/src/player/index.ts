// placeholder until the player lands
export {};
