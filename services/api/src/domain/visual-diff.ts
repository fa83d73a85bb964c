/**
 * Screenshot comparison: pixelmatch on the common width and height, the changed share of
 * pixels, the changed regions as boxes (16 px grid cells with a changed pixel, joined when they
 * touch) and a PNG that shows the newer screenshot faded with those regions marked.
 */
import pixelmatch from 'pixelmatch';
import sharp from 'sharp';

export interface RawImage {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel, rows top to bottom. */
  data: Uint8Array;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface VisualDiff {
  changedRatio: number;
  boxes: Box[];
  width: number;
  height: number;
}

/** The only place images are decoded: WebP screenshots (SCREENSHOT_FORMAT's default), or PNG/JPEG. */
export async function decodeImage(bytes: Buffer): Promise<RawImage> {
  const { data, info } = await sharp(bytes, { limitInputPixels: false })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

export function encodePng(image: RawImage): Promise<Buffer> {
  return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: image.width, height: image.height, channels: 4 },
  })
    .png()
    .toBuffer();
}

export const CELL_PX = 16;
/** Rows compared at most: screenshots are cut at the capture's maxHeight, this bounds memory anyway. */
export const MAX_COMPARE_HEIGHT = 16_384;

/** The top-left `width`×`height` of an image. */
function crop(image: RawImage, width: number, height: number): Uint8Array {
  if (image.width === width && image.height === height) return image.data;
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    out.set(image.data.subarray(y * image.width * 4, (y * image.width + width) * 4), y * width * 4);
  }
  return out;
}

/** Compares `before` with `after`; `mask` (when asked) has one byte per pixel, 1 where changed. */
export function compareImages(before: RawImage, after: RawImage): VisualDiff & { mask: Uint8Array; after: Uint8Array } {
  const width = Math.min(before.width, after.width);
  const height = Math.min(before.height, after.height, MAX_COMPARE_HEIGHT);
  const a = crop(before, width, height);
  const b = crop(after, width, height);
  const output = new Uint8Array(width * height * 4);
  const changed = pixelmatch(a, b, output, width, height, { threshold: 0.1, diffMask: true, aaColor: [0, 0, 0] });
  // diffMask draws changed pixels red and leaves everything else transparent (aaColor alpha too).
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) {
    mask[i] = output[i * 4 + 3] !== 0 && output[i * 4] === 255 && output[i * 4 + 1] === 0 ? 1 : 0;
  }
  const changedRatio = width * height === 0 ? 0 : changed / (width * height);
  return { changedRatio, boxes: boxesOf(mask, width, height), width, height, mask, after: b };
}

/** Connected groups of changed grid cells (8-neighbour), as pixel boxes clamped to the image. */
export function boxesOf(mask: Uint8Array, width: number, height: number, cell = CELL_PX): Box[] {
  const cols = Math.ceil(width / cell);
  const rows = Math.ceil(height / cell);
  const marked = new Uint8Array(cols * rows);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x]) marked[Math.floor(y / cell) * cols + Math.floor(x / cell)] = 1;
    }
  }
  const boxes: Box[] = [];
  for (let start = 0; start < marked.length; start++) {
    if (marked[start] !== 1) continue;
    boxes.push(cellsToBox(floodFill(marked, cols, rows, start), cols, cell, width, height));
  }
  return boxes.sort((p, q) => p.y - q.y || p.x - q.x);
}

/** Marks the group of `start` as visited (2) and returns its cell indexes. */
function floodFill(marked: Uint8Array, cols: number, rows: number, start: number): number[] {
  const group: number[] = [];
  const stack = [start];
  marked[start] = 2;
  while (stack.length > 0) {
    const i = stack.pop() as number;
    group.push(i);
    const cx = i % cols;
    const cy = Math.floor(i / cols);
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const nx = cx + dx;
        const ny = cy + dy;
        if (nx < 0 || ny < 0 || nx >= cols || ny >= rows) continue;
        const n = ny * cols + nx;
        if (marked[n] === 1) {
          marked[n] = 2;
          stack.push(n);
        }
      }
    }
  }
  return group;
}

function cellsToBox(cells: number[], cols: number, cell: number, width: number, height: number): Box {
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = 0;
  let maxY = 0;
  for (const i of cells) {
    const cx = i % cols;
    const cy = Math.floor(i / cols);
    minX = Math.min(minX, cx);
    minY = Math.min(minY, cy);
    maxX = Math.max(maxX, cx);
    maxY = Math.max(maxY, cy);
  }
  const x = minX * cell;
  const y = minY * cell;
  return { x, y, width: Math.min((maxX + 1) * cell, width) - x, height: Math.min((maxY + 1) * cell, height) - y };
}

/** The newer screenshot faded to white, changed pixels red, each box outlined in red. */
export function highlightImage(diff: ReturnType<typeof compareImages>): RawImage {
  const { width, height, mask, after, boxes } = diff;
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const o = i * 4;
    if (mask[i]) data.set([255, 0, 0, 255], o);
    else for (let c = 0; c < 3; c++) data[o + c] = 255 - Math.round((255 - (after[o + c] ?? 255)) * 0.35);
    data[o + 3] = 255;
  }
  for (const box of boxes) outline(data, width, box);
  return { width, height, data };
}

function outline(data: Uint8Array, width: number, box: Box): void {
  const paint = (x: number, y: number) => data.set([220, 0, 0, 255], (y * width + x) * 4);
  for (let t = 0; t < 2; t++) {
    for (let x = box.x; x < box.x + box.width; x++) {
      paint(x, box.y + Math.min(t, box.height - 1));
      paint(x, box.y + Math.max(box.height - 1 - t, 0));
    }
    for (let y = box.y; y < box.y + box.height; y++) {
      paint(box.x + Math.min(t, box.width - 1), y);
      paint(box.x + Math.max(box.width - 1 - t, 0), y);
    }
  }
}
