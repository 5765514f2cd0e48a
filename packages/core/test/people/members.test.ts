import { describe, expect, it } from 'vitest';
import type { DeviceId, UserId } from '../../src/ids.ts';
import { roomMembers, userProfiles, type KnownDevice } from '../../src/people/members.ts';
import { encodeDeviceProfile } from '../../src/people/profile.ts';

const ana = 'uana' as UserId;
const ben = 'uben' as UserId;
const dev = (name: string): DeviceId => `d${name}` as DeviceId;
const devices: KnownDevice[] = [
  { deviceId: dev('a1'), userId: ana, certifiedName: 'phone' },
  { deviceId: dev('a2'), userId: ana, certifiedName: 'laptop\x1b[31m' },
  { deviceId: dev('b1'), userId: ben, certifiedName: 'desk' },
];
const profile = (userName: string, updatedAt: number, deviceName = '') =>
  encodeDeviceProfile({ userName, deviceName, avatar: undefined, updatedAt });

describe('profiles per user and per device', () => {
  it('takes the newest value of a user’s devices, ties to the higher device ID', () => {
    const values = new Map([
      [dev('a1'), profile('Ana (old)', 10, 'my phone')],
      [dev('a2'), profile('Ana', 20)],
    ]);
    expect(userProfiles(devices, values).get(ana)?.displayName).toBe('Ana');
    values.set(dev('a1'), profile('Ana from phone', 20));
    expect(userProfiles(devices, values).get(ana)?.displayName).toBe('Ana');
    values.set(dev('a1'), profile('Ana from phone', 21));
    expect(userProfiles(devices, values).get(ana)).toMatchObject({
      displayName: 'Ana from phone',
      device: dev('a1'),
    });
  });

  it('gives each device its own name, the certified one until it publishes one', () => {
    const values = new Map([[dev('a1'), profile('Ana', 1, 'my phone')]]);
    const members = roomMembers(
      [
        { userId: ana, role: 'owner' },
        { userId: ben, role: 'member' },
      ],
      devices,
      values,
    );
    expect(members).toEqual([
      {
        userId: ana,
        role: 'owner',
        displayName: 'Ana',
        avatar: undefined,
        profileSetAt: 1,
        devices: [
          { deviceId: dev('a1'), deviceName: 'my phone' },
          { deviceId: dev('a2'), deviceName: 'laptop [31m' },
        ],
      },
      {
        userId: ben,
        role: 'member',
        displayName: undefined,
        avatar: undefined,
        profileSetAt: undefined,
        devices: [{ deviceId: dev('b1'), deviceName: 'desk' }],
      },
    ]);
  });

  it('attributes a value to its author device’s user, whatever name it claims', () => {
    // Ben's device calls itself Ana: it is still Ben who is called "Ana", not Ana renamed.
    const values = new Map([
      [dev('a1'), profile('Ana', 5)],
      [dev('b1'), profile('Ana', 99)],
    ]);
    const profiles = userProfiles(devices, values);
    expect(profiles.get(ana)?.device).toBe(dev('a1'));
    expect(profiles.get(ben)?.device).toBe(dev('b1'));
    // A value from a device that is not a member counts for nobody.
    values.set(dev('x'), profile('Eve', 1000));
    expect([...userProfiles(devices, values).keys()]).toEqual([ana, ben]);
  });
});
