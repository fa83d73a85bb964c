/** The part of single-file-core the extension uses (the package ships no types). */
declare module 'single-file-core/single-file.js' {
  export function getPageData(
    options: Record<string, unknown>,
    initOptions: { fetch: (url: string, options?: object) => Promise<Response>; frameFetch?: unknown },
    doc: Document,
    win: Window,
  ): Promise<{ content: string; title: string; filename: string }>;
}
