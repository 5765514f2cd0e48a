import { avatarLook } from '../model/avatar.ts';

/** A room's or person's picture, or their initials on their colour. Decorative: names say who. */
export function Avatar({
  id,
  name,
  image,
}: {
  id: string;
  name: string;
  image?: string | undefined;
}) {
  const look = avatarLook(id, name, image);
  return look.image !== undefined ? (
    <img class="avatar" src={look.image} alt="" aria-hidden="true" />
  ) : (
    <span class="avatar" aria-hidden="true" style={{ background: `hsl(${look.hue} 55% 32%)` }}>
      {look.initials}
    </span>
  );
}
