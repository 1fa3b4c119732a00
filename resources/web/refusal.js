// A protocol error as the user reads it: the server's explanation as a
// sentence, and what to do about it. The desktop client's
// client/core/refusal.cpp says the same words.

const ADVICE = {
  nick_reserved: 'That nick belongs to an account: log in to it, or choose another nick.',
  login_failed: 'Check the account name and the password.',
  login_required: 'Only registered users may enter this server: log in to your account.',
  not_logged_in: 'Log in with /login ACCOUNT PASSWORD, or make your nick an account with /register PASSWORD.',
  password_invalid: 'A password has 8 to 256 characters.',
  account_exists: 'Log in to it instead, or register under another nick.',
  invite_only: 'Ask one of its ops to invite you.',
  bad_key: 'Join with /join ROOM KEY, using the key its ops gave you.',
  rate_limited: 'Wait a little, then try again.',
};

// The server's explanations start with a word, or with a nick or a room's
// name, which must stay as it is spelt.
const SENTENCE_STARTS = new Set(['a', 'an', 'at', 'banned', 'error', 'hello', 'it', 'log', 'names', 'nicks', 'no',
  'not', 'only', 'passwords', 'ping', 'rooms', 'send', 'server', 'text', 'that', 'the', 'there', 'this', 'too',
  'wait', 'what', 'wrong', 'you', 'your']);

export function advice(code) {
  return ADVICE[code] ?? '';
}

export function sentence(code, message) {
  return withAdvice((message ?? '').trim() || String(code).replaceAll('_', ' '), advice(code));
}

// `message` as a sentence (capital where the server's wording starts with a
// word, a full stop), then `more` unless it says the same.
export function withAdvice(message, more) {
  let text = (message ?? '').trim();
  if (!text) return more ?? '';
  if (SENTENCE_STARTS.has(text.split(' ')[0])) text = text[0].toUpperCase() + text.slice(1);
  if (!/[.!?]$/.test(text)) text += '.';
  if (!more || more.toLowerCase() === text.toLowerCase()) return text;
  return `${text} ${more}`;
}
