#include "httprequest.h"

#include <QTest>

class TestHttpRequest : public QObject
{
    Q_OBJECT

private slots:
    void parse_data();
    void parse();
    void headerTokens();
};

void TestHttpRequest::parse_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<int>("result");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");

    using R = HttpRequest::ParseResult;
    QTest::newRow("simple get") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n\r\n") << int(R::Complete)
                                << QByteArray("GET") << QByteArray("/");
    QTest::newRow("query stripped") << QByteArray("GET /ws?x=1 HTTP/1.1\r\n\r\n") << int(R::Complete)
                                    << QByteArray("GET") << QByteArray("/ws");
    QTest::newRow("http 1.0") << QByteArray("HEAD /index.html HTTP/1.0\r\n\r\n") << int(R::Complete)
                              << QByteArray("HEAD") << QByteArray("/index.html");
    QTest::newRow("incomplete") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n") << int(R::Incomplete) << QByteArray()
                                << QByteArray();
    QTest::newRow("no version") << QByteArray("GET /\r\n\r\n") << int(R::Malformed) << QByteArray() << QByteArray();
    QTest::newRow("http 2") << QByteArray("GET / HTTP/2\r\n\r\n") << int(R::Malformed) << QByteArray() << QByteArray();
    QTest::newRow("relative target") << QByteArray("GET index.html HTTP/1.1\r\n\r\n") << int(R::Malformed)
                                     << QByteArray() << QByteArray();
    QTest::newRow("header without colon") << QByteArray("GET / HTTP/1.1\r\nbroken\r\n\r\n") << int(R::Malformed)
                                          << QByteArray() << QByteArray();
    QTest::newRow("space in method") << QByteArray("G T / HTTP/1.1\r\n\r\n") << int(R::Malformed) << QByteArray()
                                     << QByteArray();
    QTest::newRow("bare LF line ends") << QByteArray("GET /a HTTP/1.1\nHost: x\n\n") << int(R::Complete)
                                       << QByteArray("GET") << QByteArray("/a");
    QTest::newRow("mixed line ends") << QByteArray("GET /b HTTP/1.1\r\nHost: x\n\r\n") << int(R::Complete)
                                     << QByteArray("GET") << QByteArray("/b");
    QTest::newRow("bare LF, no headers") << QByteArray("GET /c HTTP/1.0\n\n") << int(R::Complete)
                                         << QByteArray("GET") << QByteArray("/c");
    QTest::newRow("bare LF incomplete") << QByteArray("GET / HTTP/1.1\nHost: x\n") << int(R::Incomplete)
                                        << QByteArray() << QByteArray();
    QTest::newRow("two Host headers") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n")
                                      << int(R::Malformed) << QByteArray() << QByteArray();
    QTest::newRow("too large unfinished") << QByteArray("GET / HTTP/1.1\r\nX: " + QByteArray(200, 'a'))
                                          << int(R::TooLarge) << QByteArray() << QByteArray();
    QTest::newRow("too large finished") << QByteArray("GET / HTTP/1.1\r\nX: " + QByteArray(200, 'a') + "\r\n\r\n")
                                        << int(R::TooLarge) << QByteArray() << QByteArray();
}

void TestHttpRequest::parse()
{
    QFETCH(QByteArray, data);
    QFETCH(int, result);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);

    HttpRequest request;
    qsizetype headBytes = 0;
    QCOMPARE(int(HttpRequest::parse(data, 128, &request, &headBytes)), result);
    if (result == int(HttpRequest::ParseResult::Complete)) {
        QCOMPARE(request.method, method);
        QCOMPARE(request.path, path);
        QCOMPARE(headBytes, data.size());
    }
}

void TestHttpRequest::headerTokens()
{
    HttpRequest request;
    qsizetype headBytes = 0;
    const QByteArray data = "GET /ws HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\nUPGRADE: WebSocket\r\n\r\n";
    QCOMPARE(HttpRequest::parse(data, 1024, &request, &headBytes), HttpRequest::ParseResult::Complete);
    QVERIFY(request.headerHasToken("connection", "upgrade"));
    QVERIFY(request.headerHasToken("upgrade", "websocket"));
    QVERIFY(!request.headerHasToken("connection", "close"));
    QCOMPARE(request.header("upgrade"), QByteArray("WebSocket"));
    QVERIFY(request.header("missing").isEmpty());
}

QTEST_APPLESS_MAIN(TestHttpRequest)
#include "tst_httprequest.moc"
