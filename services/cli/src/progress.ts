/**
 * One progress bar per link. On a terminal the bars are redrawn in place; otherwise (pipes,
 * CI, tests) each change is printed as its own line.
 */
export class ProgressBars {
  private readonly rows: string[] = [];
  private drawn = 0;

  constructor(private readonly out: NodeJS.WriteStream | { write(s: string): boolean; isTTY?: boolean }) {}

  add(label: string): number {
    this.rows.push(this.format(label, 'queued', 0));
    this.render(this.rows.length - 1);
    return this.rows.length - 1;
  }

  update(index: number, label: string, stage: string, percent: number): void {
    const row = this.format(label, stage, percent);
    if (this.rows[index] === row) return;
    this.rows[index] = row;
    this.render(index);
  }

  private format(label: string, stage: string, percent: number): string {
    const width = 24;
    const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
    return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(percent)).padStart(3)}% ${stage.padEnd(10)} ${label}`;
  }

  private render(changed: number): void {
    if (!this.out.isTTY) {
      this.out.write(`${this.rows[changed]}\n`);
      return;
    }
    if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}A`);
    for (const row of this.rows) this.out.write(`\x1b[2K${row}\n`);
    this.drawn = this.rows.length;
  }
}
