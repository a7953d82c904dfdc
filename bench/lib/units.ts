/** Byte units for the bench: MB for rates and memory as reported, MiB/GiB for file sizes. */
export const MB = 1e6;
export const MiB = 2 ** 20;
export const GiB = 2 ** 30;
