// berth's version, shown by `berth version` and in /version.
export const version = "0.1.0";
