// Rooms as the user asks about them (protocol section 6): the room list
// and the members of a room, worded as the desktop client's
// client/core/session/rooms.cpp words them.

// What /list shows in the conversation: the same words as the desktop client.
export const RoomsListed = 20;
export function roomListLines(rooms) {
  if (rooms.length === 0) return ['No rooms on this server yet.'];
  const sorted = [...rooms].sort((a, b) => b.members - a.members || a.name.localeCompare(b.name));
  const lines = [`Rooms on this server (${rooms.length}):`];
  for (const { name, members, topic } of sorted.slice(0, RoomsListed)) {
    const people = members === 1 ? '1 person' : `${members} people`;
    lines.push(topic ? `#${name} · ${people} · ${topic}` : `#${name} · ${people}`);
  }
  if (rooms.length > RoomsListed) lines.push(`… and ${rooms.length - RoomsListed} more: Browse rooms shows them all.`);
  return lines;
}

// The answer to /who: the members of a room, or everyone online.
export function memberListLine(list) {
  const names = [...list.members].sort((a, b) => a.localeCompare(b));
  return list.room ? `In ${list.room}: ${names.join(', ')}` : `Online: ${names.join(', ')}`;
}
