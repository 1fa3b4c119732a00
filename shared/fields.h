#pragma once

#include "errorcode.h"
#include "jsonwriter.h"
#include "names.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QString>

#include <optional>
#include <tuple>
#include <type_traits>

// How a message type describes its JSON shape once, so that encoding,
// decoding and validation are written for all types together instead of per
// type. A message struct lists its fields:
//
//     static constexpr auto fields() {
//         return std::make_tuple(required(QLatin1String("room"), &Join::room, Rule::Room));
//     }
//
// and the templates below walk that list.
namespace Confab::Protocol {

// A semantic check applied to a field's value after its JSON type is right.
enum class Rule {
    None,
    Nick,         // nick_invalid
    Room,         // room_invalid
    Text,         // text_invalid
    Topic,        // text_invalid
    Reason,       // text_invalid
    ClientName,   // text_invalid
    Password,     // password_invalid
    GrantableRole, // bad_request unless "op" or "member"
    HistoryLimit, // bad_request unless 1..HistoryMaxPage
    NonNegative,  // bad_request if below 0
    Duration,     // bad_request unless 1 s .. 10 years
    Reaction,     // text_invalid unless one emoji
};

enum class Presence {
    Required, // must be present; a std::optional member may be null
    Optional, // may be absent or null; omitted when encoding an empty value
    Nullable, // may be absent or null; written as null when empty
};

template <typename Owner, typename T>
struct Field
{
    QLatin1String name;
    T Owner::*member;
    Presence presence;
    Rule rule;
};

template <typename Owner, typename T>
constexpr Field<Owner, T> required(QLatin1String name, T Owner::*member, Rule rule = Rule::None)
{
    return {name, member, Presence::Required, rule};
}

template <typename Owner, typename T>
constexpr Field<Owner, std::optional<T>> optional(QLatin1String name, std::optional<T> Owner::*member,
                                                  Rule rule = Rule::None)
{
    return {name, member, Presence::Optional, rule};
}

template <typename Owner, typename T>
constexpr Field<Owner, std::optional<T>> nullable(QLatin1String name, std::optional<T> Owner::*member,
                                                  Rule rule = Rule::None)
{
    return {name, member, Presence::Nullable, rule};
}

// A JSON object of strings, e.g. `roles` in `joined`: {"alice":"owner"}.
using StringMap = QMap<QString, QString>;

struct DecodeError
{
    ErrorCode code;
    QString reason;
    QJsonValue id; // the request's id where it could be read, to echo
};

namespace Detail {

template <typename T, typename = void>
struct HasFields : std::false_type {};
template <typename T>
struct HasFields<T, std::void_t<decltype(T::fields())>> : std::true_type {};

template <typename T, typename = void>
struct HasTypeName : std::false_type {};
template <typename T>
struct HasTypeName<T, std::void_t<decltype(T::type)>> : std::true_type {};

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};

template <typename T>
struct IsList : std::false_type {};
template <typename T>
struct IsList<QList<T>> : std::true_type {};

// ---- what a value must look like, for error messages

template <typename T>
QString expectation()
{
    using namespace Qt::StringLiterals;
    if constexpr (std::is_same_v<T, QString>)
        return u"a string"_s;
    else if constexpr (std::is_same_v<T, bool>)
        return u"true or false"_s;
    else if constexpr (std::is_integral_v<T>)
        return u"an integer"_s;
    else if constexpr (std::is_same_v<T, ErrorCode>)
        return u"an error code"_s;
    else if constexpr (std::is_same_v<T, StringMap>)
        return u"an object of strings"_s;
    else if constexpr (IsOptional<T>::value)
        return expectation<typename T::value_type>() + u" or null"_s;
    else if constexpr (IsList<T>::value)
        return u"a list of "_s + expectation<typename T::value_type>();
    else
        return u"an object"_s;
}

// Every overload is declared before any template uses another.
template <typename T>
void writeValue(JsonWriter &out, const std::optional<T> &value);
template <typename T>
void writeValue(JsonWriter &out, const QList<T> &values);
template <typename T, std::enable_if_t<HasFields<T>::value, int> = 0>
void writeValue(JsonWriter &out, const T &object);
template <typename T>
bool readValue(const QJsonValue &json, std::optional<T> &out);
template <typename T>
bool readValue(const QJsonValue &json, QList<T> &out);
template <typename T, std::enable_if_t<HasFields<T>::value, int> = 0>
bool readValue(const QJsonValue &json, T &out);

// ---- writing values

inline void writeValue(JsonWriter &out, const QString &value) { out.value(QStringView(value)); }
inline void writeValue(JsonWriter &out, qint64 value) { out.value(value); }
inline void writeValue(JsonWriter &out, int value) { out.value(qint64(value)); }
inline void writeValue(JsonWriter &out, bool value) { out.value(value); }
inline void writeValue(JsonWriter &out, ErrorCode code) { out.value(QStringView(QString(errorCodeName(code)))); }
inline void writeValue(JsonWriter &out, const StringMap &map)
{
    out.beginObject();
    for (auto it = map.cbegin(); it != map.cend(); ++it) {
        out.key(QStringView(it.key()));
        out.value(QStringView(it.value()));
    }
    out.endObject();
}

template <typename T>
void writeMembers(JsonWriter &out, const T &object);

template <typename T>
void writeValue(JsonWriter &out, const std::optional<T> &value)
{
    if (value)
        writeValue(out, *value);
    else
        out.nullValue();
}

template <typename T>
void writeValue(JsonWriter &out, const QList<T> &values)
{
    out.beginArray();
    for (const T &value : values)
        writeValue(out, value);
    out.endArray();
}

template <typename T, std::enable_if_t<HasFields<T>::value, int>>
void writeValue(JsonWriter &out, const T &object)
{
    out.beginObject();
    writeMembers(out, object);
    out.endObject();
}

template <typename T>
void writeMembers(JsonWriter &out, const T &object)
{
    if constexpr (HasTypeName<T>::value) {
        out.key(QLatin1String("type"));
        out.value(QStringView(QString(T::type)));
    }
    std::apply(
            [&](const auto &...field) {
                [[maybe_unused]] auto writeField = [&](const auto &f) {
                    const auto &value = object.*(f.member);
                    if constexpr (IsOptional<std::decay_t<decltype(value)>>::value) {
                        if (f.presence == Presence::Optional && !value)
                            return;
                    }
                    out.key(f.name);
                    writeValue(out, value);
                };
                (writeField(field), ...);
            },
            T::fields());
}

template <typename T>
bool equalMembers(const T &a, const T &b)
{
    return std::apply([&](const auto &...field) { return ((a.*(field.member) == b.*(field.member)) && ...); },
                      T::fields());
}

// ---- reading values

// JSON numbers are doubles; an integer is one with no fraction that a double
// represents exactly.
inline bool readInteger(const QJsonValue &json, qint64 *out)
{
    if (!json.isDouble())
        return false;
    const double d = json.toDouble();
    // JSON numbers arrive as doubles: from 2^53 on, neighbours collapse
    // (2^53 + 1 reads as 2^53), so only integers below it in magnitude are
    // taken as sent; anything larger is refused rather than changed.
    constexpr double firstInexact = 9007199254740992.0; // 2^53
    if (!(d > -firstInexact && d < firstInexact) || d != double(qint64(d)))
        return false;
    *out = qint64(d);
    return true;
}

inline bool readValue(const QJsonValue &json, StringMap &out)
{
    if (!json.isObject())
        return false;
    const QJsonObject object = json.toObject();
    StringMap map;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        if (!it.value().isString())
            return false;
        map.insert(it.key(), it.value().toString());
    }
    out = std::move(map);
    return true;
}

inline bool readValue(const QJsonValue &json, QString &out)
{
    if (!json.isString())
        return false;
    out = json.toString();
    return true;
}

inline bool readValue(const QJsonValue &json, qint64 &out)
{
    return readInteger(json, &out);
}

inline bool readValue(const QJsonValue &json, int &out)
{
    qint64 wide = 0;
    if (!readInteger(json, &wide) || wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max())
        return false;
    out = int(wide);
    return true;
}

inline bool readValue(const QJsonValue &json, bool &out)
{
    if (!json.isBool())
        return false;
    out = json.toBool();
    return true;
}

inline bool readValue(const QJsonValue &json, ErrorCode &out)
{
    if (!json.isString())
        return false;
    const auto code = errorCodeFromName(json.toString());
    if (!code)
        return false;
    out = *code;
    return true;
}

template <typename T>
std::optional<DecodeError> readMembers(const QJsonObject &json, T &object);

template <typename T>
bool readValue(const QJsonValue &json, std::optional<T> &out)
{
    if (json.isNull()) {
        out.reset();
        return true;
    }
    T value{};
    if (!readValue(json, value))
        return false;
    out = std::move(value);
    return true;
}

template <typename T>
bool readValue(const QJsonValue &json, QList<T> &out)
{
    if (!json.isArray())
        return false;
    const QJsonArray array = json.toArray();
    out.clear();
    out.reserve(array.size());
    for (const QJsonValue &element : array) {
        T value{};
        if (!readValue(element, value))
            return false;
        out.append(std::move(value));
    }
    return true;
}

template <typename T, std::enable_if_t<HasFields<T>::value, int>>
bool readValue(const QJsonValue &json, T &out)
{
    return json.isObject() && !readMembers(json.toObject(), out);
}

// ---- semantic rules

std::optional<DecodeError> checkStringRule(Rule rule, QStringView value);
std::optional<DecodeError> checkIntegerRule(Rule rule, qint64 value);

template <typename T>
std::optional<DecodeError> checkRule(Rule rule, const T &value)
{
    if (rule == Rule::None)
        return std::nullopt;
    if constexpr (IsOptional<T>::value)
        return value ? checkRule(rule, *value) : std::nullopt;
    else if constexpr (std::is_same_v<T, QString>)
        return checkStringRule(rule, value);
    else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
        return checkIntegerRule(rule, value);
    else
        return std::nullopt;
}

QString missingFieldReason(QLatin1String name);
QString wrongTypeReason(QLatin1String name, const QString &expected);
QString nestedReason(QLatin1String name, const QString &inner);

// Why `json`, an object where a T (with fields) belongs, is not one; none
// for other types or when it is not an object at all.
template <typename T>
std::optional<DecodeError> nestedError(const QJsonValue &json)
{
    if constexpr (IsOptional<T>::value) {
        return nestedError<typename T::value_type>(json);
    } else if constexpr (HasFields<T>::value) {
        if (!json.isObject())
            return std::nullopt;
        T probe{};
        return readMembers(json.toObject(), probe);
    } else {
        return std::nullopt;
    }
}

template <typename T>
std::optional<DecodeError> readMembers(const QJsonObject &json, T &object)
{
    std::optional<DecodeError> error;
    std::apply(
            [&](const auto &...field) {
                [[maybe_unused]] auto readField = [&](const auto &f) {
                    auto &value = object.*(f.member);
                    using Value = std::decay_t<decltype(value)>;
                    const QJsonValue member = json.value(f.name);
                    if (member.isUndefined()) {
                        if (f.presence == Presence::Required)
                            error = DecodeError{ErrorCode::BadRequest, missingFieldReason(f.name), {}};
                        return !error;
                    }
                    if (!readValue(member, value)) {
                        error = DecodeError{ErrorCode::BadRequest, wrongTypeReason(f.name, expectation<Value>()), {}};
                        // An object that is wrong inside: say where.
                        if (const auto inner = nestedError<Value>(member))
                            error->reason = nestedReason(f.name, inner->reason);
                        return false;
                    }
                    error = checkRule(f.rule, value);
                    return !error;
                };
                // Stops at the first field in error.
                static_cast<void>((readField(field) && ...));
            },
            T::fields());
    return error;
}

} // namespace Detail

} // namespace Confab::Protocol
