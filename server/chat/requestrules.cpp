#include "requestrules.h"

#include "codec.h"

#include <algorithm>
#include <utility>

namespace RequestRules {

namespace {

template <typename T>
constexpr bool isRequest = (int(T::sender) & int(Sender::Client)) != 0;

template <typename T>
struct Tag
{
    using type = T;
};

template <std::size_t... I>
QList<NamedRule> collect(std::index_sequence<I...>)
{
    QList<NamedRule> rules;
    auto add = [&rules](auto tag) {
        using T = typename decltype(tag)::type;
        if constexpr (isRequest<T>) {
            constexpr Rule rule = ruleFor<T>(); // a compile error for a request without a rule
            rules.append({T::type, rule});
        }
    };
    (add(Tag<std::variant_alternative_t<I, Message>>{}), ...);
    return rules;
}

} // namespace

BucketSpec bucketSpec(Bucket bucket, const ChatLimits &limits)
{
    if (limits.floodBurst <= 0 || limits.floodRatePerSecond <= 0)
        return {0, 0};
    const double rate = limits.floodRatePerSecond;
    // Everything a client sends again after a reconnect, once per room (a
    // join, a history page, a read marker), fits in one burst.
    const int rooms = std::max(limits.maxRoomsPerUser, 30);
    switch (bucket) {
    case Bucket::None:
        return {0, 0};
    case Bucket::Hello:
        return {10, 1};
    case Bucket::Flood:
        return {limits.floodBurst, rate};
    case Bucket::Membership:
        return {rooms, rate / 2};
    case Bucket::Typing:
        return {10, 2};
    case Bucket::Reaction:
        return {10, 2};
    case Bucket::Invite:
        return {5, 0.2};
    case Bucket::Reads:
        return {rooms + 20, 5};
    case Bucket::Queries:
        return {rooms + 50, 10};
    case Bucket::Moderation:
        return {20, 1};
    case Bucket::Account:
        return {3, 0.05};
    }
    return {0, 0};
}

QLatin1String bucketName(Bucket bucket)
{
    switch (bucket) {
    case Bucket::None:
        return QLatin1String("none");
    case Bucket::Hello:
        return QLatin1String("hello");
    case Bucket::Flood:
        return QLatin1String("flood");
    case Bucket::Membership:
        return QLatin1String("membership");
    case Bucket::Typing:
        return QLatin1String("typing");
    case Bucket::Reaction:
        return QLatin1String("reactions");
    case Bucket::Invite:
        return QLatin1String("invitations");
    case Bucket::Reads:
        return QLatin1String("pages");
    case Bucket::Queries:
        return QLatin1String("queries");
    case Bucket::Moderation:
        return QLatin1String("moderation");
    case Bucket::Account:
        return QLatin1String("account");
    }
    return QLatin1String("?");
}

QString refusal(Bucket bucket)
{
    switch (bucket) {
    case Bucket::Membership:
        return QStringLiteral("too many joins and leaves; slow down");
    case Bucket::Hello:
        return QStringLiteral("too many hellos; wait a moment");
    case Bucket::Reaction:
        return QStringLiteral("too many reactions; slow down");
    case Bucket::Invite:
        return QStringLiteral("too many invitations; slow down");
    case Bucket::Reads:
        return QStringLiteral("too many pages asked for; slow down");
    case Bucket::Moderation:
        return QStringLiteral("too many moderation requests; slow down");
    case Bucket::Account:
        return QStringLiteral("too many account requests; try again in a minute");
    default:
        return QStringLiteral("too many requests; slow down");
    }
}

QList<NamedRule> table()
{
    return collect(std::make_index_sequence<std::variant_size_v<Message>>{});
}

} // namespace RequestRules
