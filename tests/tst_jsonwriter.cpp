#include "jsonwriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Confab::Protocol;
using namespace Qt::StringLiterals;

class TestJsonWriter : public QObject
{
    Q_OBJECT

private slots:
    void strings_data();
    void strings();
    void anyJsonValue_data();
    void anyJsonValue();
    void nesting();
};

void TestJsonWriter::strings_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("plain") << u"hello"_s << QByteArray(R"("hello")");
    QTest::newRow("empty") << QString() << QByteArray(R"("")");
    QTest::newRow("quote and backslash") << u"a\"b\\c"_s << QByteArray(R"("a\"b\\c")");
    QTest::newRow("line breaks") << u"a\nb\r"_s << QByteArray(R"("a\nb\r")");
    QTest::newRow("control") << u"\u0001\u001f"_s << QByteArray(R"("\u0001\u001f")");
    QTest::newRow("two-byte utf-8") << u"é"_s << QByteArray("\"\xc3\xa9\"");
    QTest::newRow("astral") << u"\U0001F600"_s << QByteArray("\"\xf0\x9f\x98\x80\"");
    QTest::newRow("html untouched") << u"<b>&amp;</b>"_s << QByteArray(R"("<b>&amp;</b>")");
}

void TestJsonWriter::strings()
{
    QFETCH(QString, text);
    QFETCH(QByteArray, expected);

    JsonWriter out;
    out.value(QStringView(text));
    const QByteArray json = out.take();
    QCOMPARE(json, expected);
    // What Qt's own parser reads back is the original string.
    const QJsonDocument document = QJsonDocument::fromJson("[" + json + "]");
    QCOMPARE(document.array().at(0).toString(), text);
}

void TestJsonWriter::anyJsonValue_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("integer") << QJsonValue(7) << QByteArray("7");
    QTest::newRow("negative") << QJsonValue(-12) << QByteArray("-12");
    QTest::newRow("large integer") << QJsonValue(9007199254740991.0) << QByteArray("9007199254740991");
    QTest::newRow("string") << QJsonValue(u"id-1"_s) << QByteArray(R"("id-1")");
    QTest::newRow("bool") << QJsonValue(true) << QByteArray("true");
    QTest::newRow("null") << QJsonValue(QJsonValue::Null) << QByteArray("null");
    QTest::newRow("fraction") << QJsonValue(0.5) << QByteArray("0.5");
    QTest::newRow("object") << QJsonValue(QJsonObject{{u"a"_s, 1}}) << QByteArray(R"({"a":1})");
}

void TestJsonWriter::anyJsonValue()
{
    QFETCH(QJsonValue, value);
    QFETCH(QByteArray, expected);
    JsonWriter out;
    out.value(value);
    QCOMPARE(out.take(), expected);
}

void TestJsonWriter::nesting()
{
    JsonWriter out;
    out.beginObject();
    out.key(QLatin1String("a"));
    out.beginArray();
    out.value(qint64(1));
    out.beginObject();
    out.key(QLatin1String("b"));
    out.nullValue();
    out.key(QLatin1String("c"));
    out.beginArray();
    out.endArray();
    out.endObject();
    out.value(QStringView(u"x"));
    out.endArray();
    out.key(QLatin1String("d"));
    out.value(false);
    out.endObject();
    QCOMPARE(out.take(), QByteArray(R"({"a":[1,{"b":null,"c":[]},"x"],"d":false})"));
}

QTEST_APPLESS_MAIN(TestJsonWriter)
#include "tst_jsonwriter.moc"
