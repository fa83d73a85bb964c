/** Width, height and format of a PNG or WebP image, read from its header (no decoder needed). */
export interface ImageSize {
  format: 'png' | 'webp';
  width: number;
  height: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function imageSize(image: Buffer): ImageSize {
  if (image.subarray(0, 8).equals(PNG_SIGNATURE))
    return { format: 'png', width: image.readUInt32BE(16), height: image.readUInt32BE(20) };
  if (image.toString('latin1', 0, 4) !== 'RIFF' || image.toString('latin1', 8, 12) !== 'WEBP')
    throw new Error('neither PNG nor WebP');
  const chunk = image.toString('latin1', 12, 16);
  if (chunk === 'VP8X')
    return { format: 'webp', width: 1 + image.readUIntLE(24, 3), height: 1 + image.readUIntLE(27, 3) };
  if (chunk === 'VP8L') {
    const bits = image.readUInt32LE(21);
    return { format: 'webp', width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
  }
  if (chunk === 'VP8 ')
    return { format: 'webp', width: image.readUInt16LE(26) & 0x3fff, height: image.readUInt16LE(28) & 0x3fff };
  throw new Error(`unknown WebP chunk ${chunk}`);
}
