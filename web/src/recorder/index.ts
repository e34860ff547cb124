// placeholder until the recorder lands
export {};
