// Times as both clients show them: "14:05" today, "2026-12-01 14:05" before.

export function clockTime(ts) {
  const date = new Date(ts);
  const hm = `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
  return date.toDateString() === new Date().toDateString() ? hm : `${date.toISOString().slice(0, 10)} ${hm}`;
}
