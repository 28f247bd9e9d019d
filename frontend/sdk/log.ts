// Messages for the integrating developer, in the console, marked as tapline's.

export function warn(message: string): void {
  console.warn(`[tapline] ${message}`);
}

export function logError(error: unknown): void {
  console.error("[tapline]", error);
}

/** "Name: message" of anything thrown. */
export function describe(error: unknown): string {
  if (error instanceof Error) return (error.name ? `${error.name}: ` : "") + error.message;
  return String(error);
}
