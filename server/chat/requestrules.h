#pragma once

#include "chatlimits.h"
#include "messages.h"

#include <QLatin1String>

#include <array>
#include <limits>

// What every request costs and who may send it, in one place. The chat
// service consults this before any handler runs (ChatService::admitRequest()),
// charging the request's bucket when it is accepted, so that requests sent
// all at once cannot each pass a check that only counts them later.
// docs/server.md "What each request costs" is this table in prose, and
// tst_requestrules checks that the two agree. A request type without a
// rule does not compile (ruleFor<T>() has no general definition).
namespace RequestRules {

// Who may send a request; the refusal names what is missing.
enum class Access {
    Anyone,     // before hello too
    Identified, // after welcome
    LoggedIn,   // logged in to an account: not_logged_in otherwise
};

// The token buckets a connection has, each for requests that cost the
// server (or the people they reach) alike. A request spends one token of
// its bucket when accepted; over the limit it gets rate_limited (typing is
// dropped without an answer: a notice is not worth an error line).
enum class Bucket {
    None,       // free: ends the session, or answers a ping of the server's
    Hello,      // hello, retried with another nick
    Flood,      // what the others see: messages, nicks, topics, away, edits
    Membership, // join, leave
    Typing,     // typing notices
    Reaction,   // react
    Invite,     // invite: each one reaches the invited user
    Reads,      // history and audit pages: the most bytes one request asks for
    Queries,    // small answers: who, list, ban lists, read markers, ping
    Moderation, // claim, grant, kick, bans, mutes, modes
    Account,    // register, change_password: password hashes
};
inline constexpr int BucketCount = int(Bucket::Account) + 1;

struct BucketSpec
{
    int burst;
    double perSecond;
};

// The token buckets of one connection: a count and a time each, 8 bytes;
// their sizes are the server's (bucketSpec()), kept once for everyone.
class RequestBuckets final
{
public:
    // Spends a token of `bucket` if there is one (a bucket of size 0 is off).
    bool tryTake(Bucket bucket, const BucketSpec &spec, qint64 nowMs)
    {
        if (spec.burst <= 0 || spec.perSecond <= 0)
            return true;
        if (m_startMs == NotStarted || nowMs - m_startMs > MaxOffsetMs)
            restartClock(nowMs);
        const auto now = qint32(nowMs - m_startMs);
        State &state = m_state[std::size_t(bucket)];
        if (state.tokens < 0) { // first use: full
            state.tokens = float(spec.burst);
            state.lastMs = now;
        }
        state.tokens = float(qMin(double(spec.burst),
                                  double(state.tokens) + double(now - state.lastMs) * spec.perSecond / 1000.0));
        state.lastMs = now;
        if (state.tokens < 1.0f)
            return false;
        state.tokens -= 1.0f;
        return true;
    }

private:
    // Times are kept as milliseconds since m_startMs, in 32 bits.
    static constexpr qint64 MaxOffsetMs = std::numeric_limits<qint32>::max();
    static constexpr qint64 NotStarted = std::numeric_limits<qint64>::min();

    // Every 12 days of a long session: the clock starts again 12 days back,
    // so the last 12 days stay exact; a bucket unused for longer than that
    // is full again at its next use (every bucket refills in far less).
    void restartClock(qint64 nowMs)
    {
        const qint64 startMs = nowMs - MaxOffsetMs / 2;
        const qint64 shift = m_startMs == NotStarted ? 0 : startMs - m_startMs;
        m_startMs = startMs;
        for (State &state : m_state) {
            const qint64 lastMs = qint64(state.lastMs) - shift;
            if (lastMs < 0)
                state.tokens = -1;
            else
                state.lastMs = qint32(lastMs);
        }
    }

    struct State
    {
        float tokens = -1; // -1: never used
        qint32 lastMs = 0;
    };
    qint64 m_startMs = NotStarted;
    std::array<State, BucketCount> m_state;
};

// A bucket's size as the server is configured. The flood settings set the
// scale: `--flood-burst 0` (or a rate of 0) turns every bucket off, for
// benchmarks and teaching.
BucketSpec bucketSpec(Bucket bucket, const ChatLimits &limits);
QLatin1String bucketName(Bucket bucket);
// What a client over the limit of `bucket` is told.
QString refusal(Bucket bucket);

struct Rule
{
    Access who;
    Bucket bucket;
    // Password hashes the request may start; they wait in the hashing
    // queue (see HashQueue), never on the event loop.
    int hashes;
    // What the request may make the server keep after it is answered, and
    // what bounds it.
    const char *keeps;
};

template <typename T>
constexpr Rule ruleFor(); // no general definition: every request needs its own

using namespace Confab::Protocol;

// clang-format off
template <> constexpr Rule ruleFor<Hello>()             { return {Access::Anyone,     Bucket::Hello,      1, "the session; the nick (one per connection)"}; }
template <> constexpr Rule ruleFor<Register>()          { return {Access::Identified, Bucket::Account,    1, "an account (3 per address an hour)"}; }
template <> constexpr Rule ruleFor<ChangePassword>()    { return {Access::LoggedIn,   Bucket::Account,    2, "nothing new"}; }
template <> constexpr Rule ruleFor<Join>()              { return {Access::Identified, Bucket::Membership, 0, "a membership (rooms per user)"}; }
template <> constexpr Rule ruleFor<Leave>()             { return {Access::Identified, Bucket::Membership, 0, "nothing"}; }
template <> constexpr Rule ruleFor<Say>()               { return {Access::Identified, Bucket::Flood,      0, "a stored message (text size)"}; }
template <> constexpr Rule ruleFor<Whisper>()           { return {Access::Identified, Bucket::Flood,      0, "a stored message (text size)"}; }
template <> constexpr Rule ruleFor<ChangeNick>()        { return {Access::Identified, Bucket::Flood,      0, "the nick, instead of the old one"}; }
template <> constexpr Rule ruleFor<SetTopic>()          { return {Access::Identified, Bucket::Flood,      0, "the topic, instead of the old one"}; }
template <> constexpr Rule ruleFor<SetAway>()           { return {Access::Identified, Bucket::Flood,      0, "the away text (reason size)"}; }
template <> constexpr Rule ruleFor<EditMessage>()       { return {Access::Identified, Bucket::Flood,      0, "the new text, instead of the old"}; }
template <> constexpr Rule ruleFor<DeleteMessage>()     { return {Access::Identified, Bucket::Flood,      0, "nothing"}; }
template <> constexpr Rule ruleFor<React>()             { return {Access::Identified, Bucket::Reaction,   0, "a reaction (20 kinds per message)"}; }
template <> constexpr Rule ruleFor<Typing>()            { return {Access::Identified, Bucket::Typing,     0, "when it was passed on (per conversation, while the session lasts)"}; }
template <> constexpr Rule ruleFor<Invite>()            { return {Access::Identified, Bucket::Invite,     0, "an invitation (online users only)"}; }
template <> constexpr Rule ruleFor<GetHistory>()        { return {Access::Identified, Bucket::Reads,      0, "nothing"}; }
template <> constexpr Rule ruleFor<GetPrivateHistory>() { return {Access::Identified, Bucket::Reads,      0, "nothing"}; }
template <> constexpr Rule ruleFor<GetAudit>()          { return {Access::Identified, Bucket::Reads,      0, "nothing"}; }
template <> constexpr Rule ruleFor<ListRooms>()         { return {Access::Identified, Bucket::Queries,    0, "nothing"}; }
template <> constexpr Rule ruleFor<Who>()               { return {Access::Identified, Bucket::Queries,    0, "nothing"}; }
template <> constexpr Rule ruleFor<GetBanList>()        { return {Access::Identified, Bucket::Queries,    0, "nothing"}; }
template <> constexpr Rule ruleFor<GetServerBanList>()  { return {Access::Identified, Bucket::Queries,    0, "nothing"}; }
template <> constexpr Rule ruleFor<MarkRead>()          { return {Access::Identified, Bucket::Queries,    0, "a read marker (conversations that have messages)"}; }
template <> constexpr Rule ruleFor<Ping>()              { return {Access::Identified, Bucket::Queries,    0, "nothing"}; }
template <> constexpr Rule ruleFor<Pong>()              { return {Access::Anyone,     Bucket::None,       0, "nothing"}; }
template <> constexpr Rule ruleFor<Quit>()              { return {Access::Identified, Bucket::None,       0, "nothing"}; }
template <> constexpr Rule ruleFor<Claim>()             { return {Access::LoggedIn,   Bucket::Moderation, 0, "a role"}; }
template <> constexpr Rule ruleFor<Grant>()             { return {Access::Identified, Bucket::Moderation, 0, "a role"}; }
template <> constexpr Rule ruleFor<Kick>()              { return {Access::Identified, Bucket::Moderation, 0, "an audit entry"}; }
template <> constexpr Rule ruleFor<Ban>()               { return {Access::Identified, Bucket::Moderation, 0, "a ban, an audit entry"}; }
template <> constexpr Rule ruleFor<Unban>()             { return {Access::Identified, Bucket::Moderation, 0, "an audit entry"}; }
template <> constexpr Rule ruleFor<Mute>()              { return {Access::Identified, Bucket::Moderation, 0, "a mute, an audit entry"}; }
template <> constexpr Rule ruleFor<Unmute>()            { return {Access::Identified, Bucket::Moderation, 0, "an audit entry"}; }
template <> constexpr Rule ruleFor<SetMode>()           { return {Access::Identified, Bucket::Moderation, 0, "the room's modes"}; }
template <> constexpr Rule ruleFor<ServerBan>()         { return {Access::Identified, Bucket::Moderation, 0, "a ban, an audit entry"}; }
template <> constexpr Rule ruleFor<ServerUnban>()       { return {Access::Identified, Bucket::Moderation, 0, "an audit entry"}; }
// clang-format on

// Every request type's wire name and rule, for the docs' table and its test.
struct NamedRule
{
    QLatin1String type;
    Rule rule;
};
QList<NamedRule> table();

} // namespace RequestRules
