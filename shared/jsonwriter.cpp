#include "jsonwriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Confab::Protocol {

JsonWriter::JsonWriter()
{
    m_out.reserve(128);
}

void JsonWriter::separate()
{
    if (m_afterKey) {
        m_afterKey = false;
        return;
    }
    if (!m_hasMember.isEmpty()) {
        if (m_hasMember.last())
            m_out.append(',');
        m_hasMember.last() = true;
    }
}

void JsonWriter::beginObject()
{
    separate();
    m_out.append('{');
    m_hasMember.append(false);
}

void JsonWriter::endObject()
{
    m_out.append('}');
    m_hasMember.removeLast();
}

void JsonWriter::beginArray()
{
    separate();
    m_out.append('[');
    m_hasMember.append(false);
}

void JsonWriter::endArray()
{
    m_out.append(']');
    m_hasMember.removeLast();
}

void JsonWriter::key(QLatin1String name)
{
    separate();
    m_out.append('"');
    m_out.append(name.data(), name.size());
    m_out.append("\":", 2);
    m_afterKey = true;
}

void JsonWriter::key(QStringView name)
{
    separate();
    writeString(name);
    m_out.append(':');
    m_afterKey = true;
}

void JsonWriter::value(QStringView text)
{
    separate();
    writeString(text);
}

void JsonWriter::value(qint64 number)
{
    separate();
    m_out.append(QByteArray::number(number));
}

void JsonWriter::value(bool flag)
{
    separate();
    m_out.append(flag ? "true" : "false");
}

void JsonWriter::nullValue()
{
    separate();
    m_out.append("null", 4);
}

void JsonWriter::value(const QJsonValue &json)
{
    switch (json.type()) {
    case QJsonValue::String:
        value(QStringView(json.toString()));
        return;
    case QJsonValue::Double: {
        const double d = json.toDouble();
        if (d == double(qint64(d))) {
            value(qint64(d));
            return;
        }
        break;
    }
    case QJsonValue::Bool:
        value(json.toBool());
        return;
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        nullValue();
        return;
    default:
        break;
    }
    separate();
    if (json.isObject())
        m_out.append(QJsonDocument(json.toObject()).toJson(QJsonDocument::Compact));
    else if (json.isArray())
        m_out.append(QJsonDocument(json.toArray()).toJson(QJsonDocument::Compact));
    else
        m_out.append(QByteArray::number(json.toDouble(), 'g', 17));
}

void JsonWriter::writeString(QStringView text)
{
    static constexpr char hex[] = "0123456789abcdef";
    m_out.append('"');
    qsizetype runStart = 0;
    auto flushRun = [&](qsizetype end) {
        if (end <= runStart)
            return;
        // Encode straight into the output: no temporary byte array per string.
        const QStringView run = text.sliced(runStart, end - runStart);
        const qsizetype oldSize = m_out.size();
        m_out.resize(oldSize + run.size() * 3);
        char *written = m_utf8.appendToBuffer(m_out.data() + oldSize, run);
        m_out.truncate(written - m_out.constData());
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        if (c >= 0x20 && c != u'"' && c != u'\\' && !QChar::isSurrogate(c))
            continue;
        if (QChar::isHighSurrogate(c) && i + 1 < text.size() && text[i + 1].isLowSurrogate()) {
            ++i;
            continue;
        }
        // An unpaired surrogate has no UTF-8 form; the \u escape keeps it
        // exactly as it was, as JSON allows.
        flushRun(i);
        runStart = i + 1;
        switch (c) {
        case u'"': m_out.append("\\\"", 2); break;
        case u'\\': m_out.append("\\\\", 2); break;
        case u'\n': m_out.append("\\n", 2); break;
        case u'\r': m_out.append("\\r", 2); break;
        case u'\t': m_out.append("\\t", 2); break;
        default: {
            const char escape[] = {'\\', 'u', hex[c >> 12], hex[(c >> 8) & 0xF], hex[(c >> 4) & 0xF], hex[c & 0xF]};
            m_out.append(escape, sizeof escape);
        }
        }
    }
    flushRun(text.size());
    m_out.append('"');
}

QByteArray JsonWriter::take()
{
    m_hasMember.clear();
    m_afterKey = false;
    return std::exchange(m_out, QByteArray());
}

} // namespace Confab::Protocol
