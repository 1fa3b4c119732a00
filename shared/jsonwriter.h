#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QStringEncoder>
#include <QStringView>
#include <QVarLengthArray>

namespace Confab::Protocol {

// Writes compact JSON straight into a byte array, in the order the fields are
// written. The server encodes every event once and sends those bytes to each
// recipient, so this sits on the hot path: no intermediate QJsonObject, no
// sorting of keys.
class JsonWriter final
{
public:
    JsonWriter();

    void beginObject();
    void endObject();
    void beginArray();
    void endArray();

    // Starts a member of the current object; the value follows.
    void key(QLatin1String name);
    // A key that needs escaping, or is not Latin-1 (a nick in a map).
    void key(QStringView name);

    void value(QStringView text);
    void value(qint64 number);
    void value(bool flag);
    void nullValue();
    // Any JSON value (the request ids a client chose, echoed as they came).
    void value(const QJsonValue &json);

    QByteArray take();

private:
    void separate();
    void writeString(QStringView text);

    QByteArray m_out;
    // One entry per open object or array: whether it has a member yet.
    QVarLengthArray<bool, 8> m_hasMember;
    bool m_afterKey = false;
    QStringEncoder m_utf8{QStringEncoder::Utf8, QStringEncoder::Flag::Stateless};
};

} // namespace Confab::Protocol
