/**
 * How a room or person is pictured: their image when it is one the page can show without a
 * request (a `data:` raster image: the page loads nothing from elsewhere, and an SVG could
 * carry script), else their initials on a colour chosen by their ID (the same on every device).
 */
export interface AvatarLook {
  readonly image: string | undefined;
  readonly initials: string;
  /** Hue of the background, 0-359 (saturation and lightness fixed for AA contrast with white). */
  readonly hue: number;
}

const RASTER = /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+=*$/;

export function avatarLook(id: string, name: string, image: string | undefined): AvatarLook {
  return {
    image: image !== undefined && RASTER.test(image) ? image : undefined,
    initials: initialsOf(name),
    hue: hueOf(id),
  };
}

/** The first letter of the first two words ("Book club" → "BC"), whole characters, upper case. */
function initialsOf(name: string): string {
  const words = name
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  const letters = words.slice(0, 2).map((w) => Array.from(w)[0] ?? '');
  return letters.join('').toLocaleUpperCase() || '?';
}

/** FNV-1a of the ID, folded to a hue. */
function hueOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % 360;
}
