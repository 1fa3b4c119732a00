#include "codec.h"

#include "defaults.h"

#include <QJsonDocument>
#include <QJsonParseError>

#include <array>

namespace Confab::Protocol {

using namespace Qt::StringLiterals;

namespace Detail {

std::optional<DecodeError> checkStringRule(Rule rule, QStringView value)
{
    std::optional<RuleViolation> violation;
    switch (rule) {
    case Rule::Nick: violation = checkNick(value); break;
    case Rule::Room: violation = checkRoom(value); break;
    case Rule::Text: violation = checkText(value); break;
    case Rule::Topic: violation = checkTopic(value); break;
    case Rule::Reason: violation = checkReason(value); break;
    case Rule::ClientName: violation = checkClientName(value); break;
    case Rule::Password: violation = checkPassword(value); break;
    case Rule::Reaction: violation = checkReaction(value); break;
    case Rule::GrantableRole:
        if (value != "op"_L1 && value != "member"_L1)
            return DecodeError{ErrorCode::BadRequest, u"role must be \"op\" or \"member\""_s, {}};
        break;
    default: break;
    }
    if (violation)
        return DecodeError{violation->code, violation->reason, {}};
    return std::nullopt;
}

std::optional<DecodeError> checkIntegerRule(Rule rule, qint64 value)
{
    if (rule == Rule::HistoryLimit && (value < 1 || value > Defaults::HistoryMaxPage))
        return DecodeError{ErrorCode::BadRequest, u"limit must be from 1 to %1"_s.arg(Defaults::HistoryMaxPage), {}};
    if (rule == Rule::Duration && (value < 1 || value > Defaults::MaxDurationSeconds))
        return DecodeError{ErrorCode::BadRequest,
                           u"duration is in seconds, from 1 to %1"_s.arg(Defaults::MaxDurationSeconds), {}};
    if (rule == Rule::NonNegative && value < 0)
        return DecodeError{ErrorCode::BadRequest, u"a seq is never negative"_s, {}};
    return std::nullopt;
}

QString missingFieldReason(QLatin1String name)
{
    return u"missing field '%1'"_s.arg(name);
}

QString wrongTypeReason(QLatin1String name, const QString &expected)
{
    return u"field '%1' must be %2"_s.arg(name, expected);
}

QString nestedReason(QLatin1String name, const QString &inner)
{
    return u"in field '%1': %2"_s.arg(name, inner);
}

} // namespace Detail

namespace {

using Decoder = std::optional<DecodeError> (*)(const QJsonObject &, Message *);

struct TypeEntry
{
    QLatin1String name;
    Sender sender;
    Decoder decode;
};

template <typename T>
std::optional<DecodeError> decodeAs(const QJsonObject &json, Message *out)
{
    T message{};
    auto error = Detail::readMembers(json, message);
    if (!error)
        *out = std::move(message);
    return error;
}

template <std::size_t... I>
constexpr auto makeTypeTable(std::index_sequence<I...>)
{
    return std::array<TypeEntry, sizeof...(I)>{
            TypeEntry{std::variant_alternative_t<I, Message>::type, std::variant_alternative_t<I, Message>::sender,
                      &decodeAs<std::variant_alternative_t<I, Message>>}...};
}

constexpr auto typeTable = makeTypeTable(std::make_index_sequence<std::variant_size_v<Message>>());

// A name may stand for a request and its reply both (ban_list): the entry
// is the one the sender may send.
const TypeEntry *findType(QStringView name, Sender from)
{
    for (const TypeEntry &entry : typeTable) {
        if (name == entry.name && (int(entry.sender) & int(from)) != 0)
            return &entry;
    }
    return nullptr;
}

// Returns the id to echo, or an error if the id itself is malformed (then
// there is nothing sensible to echo).
std::optional<DecodeError> readId(const QJsonObject &json, QJsonValue *id)
{
    const QJsonValue value = json.value("id"_L1);
    if (value.isUndefined() || value.isNull())
        return std::nullopt;
    qint64 integer = 0;
    if (value.isString() && value.toString().size() <= Defaults::MaxIdChars) {
        *id = value;
        return std::nullopt;
    }
    if (Detail::readInteger(value, &integer)) {
        *id = value;
        return std::nullopt;
    }
    return DecodeError{ErrorCode::BadRequest,
                       u"'id' must be a string of at most %1 characters or an integer"_s.arg(Defaults::MaxIdChars),
                       {}};
}

QString parseErrorReason(const QJsonParseError &error)
{
    switch (error.error) {
    case QJsonParseError::IllegalUTF8String:
        return u"the frame is not valid UTF-8"_s;
    case QJsonParseError::DeepNesting:
        return u"the JSON is nested too deeply"_s;
    default:
        return u"not a JSON object: %1 at byte %2"_s.arg(error.errorString()).arg(error.offset);
    }
}

} // namespace

std::variant<Envelope, DecodeError> decode(QByteArrayView frame, Sender from)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray::fromRawData(frame.data(), frame.size()),
                                                           &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return DecodeError{ErrorCode::BadJson, parseErrorReason(parseError), {}};
    if (!document.isObject())
        return DecodeError{ErrorCode::BadJson, u"a frame must be a JSON object"_s, {}};

    const QJsonObject json = document.object();
    Envelope envelope;
    if (auto error = readId(json, &envelope.id))
        return *error;

    const QJsonValue type = json.value("type"_L1);
    if (!type.isString())
        return DecodeError{ErrorCode::BadRequest,
                           type.isUndefined() ? u"missing field 'type'"_s : u"field 'type' must be a string"_s,
                           envelope.id};

    const TypeEntry *entry = findType(type.toString(), from);
    if (!entry)
        return DecodeError{ErrorCode::UnknownType, u"unknown message type '%1'"_s.arg(type.toString().left(64)),
                           envelope.id};

    if (auto error = entry->decode(json, &envelope.message)) {
        error->id = envelope.id;
        return *error;
    }
    return envelope;
}

QLatin1String typeName(const Message &message)
{
    return std::visit([](const auto &m) { return std::decay_t<decltype(m)>::type; }, message);
}

QByteArray encode(const Message &message, const QJsonValue &id)
{
    return std::visit([&](const auto &m) { return encode(m, id); }, message);
}

} // namespace Confab::Protocol
