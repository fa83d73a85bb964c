// Types of scripts/bootstrap.mjs for the TypeScript that imports it (test/support/stack.ts).
export const root: string;
export function bootstrap(): void;
export function servicesCompiled(): boolean;
