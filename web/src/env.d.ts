/** Origin of the API (empty = this page's origin), set at build time from VITE_API_ORIGIN. */
declare const __API_ORIGIN__: string;
