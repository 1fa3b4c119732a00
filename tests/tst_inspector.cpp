// The frame inspector dock in the desktop client, offscreen, against a real
// server: opened from the View menu it shows the frames as they go, reads
// one, filters, pauses, copies and saves; closed, it records nothing.

#include "chatclient.h"
#include "chatsession.h"
#include "conversation.h"
#include "inputline.h"
#include "inspectordock.h"
#include "mainwindow.h"
#include "serverprocess.h"
#include "widgettesting.h"

#include <QAction>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace {

void type(MainWindow &window, const QString &text)
{
    QTest::keyClicks(window.input(), text);
    QTest::keyClick(window.input(), Qt::Key_Return);
}

// The first row of `type`, or -1.
int firstRowOf(InspectorDock &dock, const QString &type)
{
    for (int row = 0; row < dock.log()->rowCount(); ++row) {
        if (dock.log()->frame(row).type == type)
            return row;
    }
    return -1;
}

int rowsOfType(const InspectorDock &dock, const QString &type)
{
    int rows = 0;
    auto *log = const_cast<InspectorDock &>(dock).log();
    for (int row = 0; row < log->rowCount(); ++row)
        rows += log->frame(row).type == type;
    return rows;
}

} // namespace

class TestInspector : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void closedRecordsNothing();
    void showsFramesBothWays();
    void readsTheSelectedFrame();
    void filtersByTypeAndRoom();
    void pauseCopyAndSave();
    void closingStopsRecording();

private:
    ServerProcess m_server;
    QTemporaryDir m_scratch;
    std::unique_ptr<ChatSession> m_session;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<ChatClient> m_bob;
};

void TestInspector::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY2(m_server.start({u"--flood-rate"_s, u"0"_s}), qPrintable(m_server.error()));
    m_session = std::make_unique<ChatSession>();
    m_window = std::make_unique<MainWindow>(m_session.get());
    m_window->resize(1100, 760);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_session->start(*ServerAddress::parse(u"127.0.0.1:%1"_s.arg(m_server.tcpPort())), u"alice"_s, {},
                     {u"lobby"_s, u"physics"_s});
    QTRY_VERIFY_WITH_TIMEOUT(m_session->room(u"physics"_s) && m_session->room(u"physics"_s)->isJoined(), 10'000);
    m_bob = std::make_unique<ChatClient>();
    QVERIFY(m_bob->enter(m_server.tcpPort(), u"bob"_s, {u"lobby"_s, u"physics"_s}));
}

void TestInspector::cleanupTestCase()
{
    m_bob.reset();
    m_window.reset();
    m_session.reset();
    QCOMPARE(m_server.stop(), 0);
}

void TestInspector::closedRecordsNothing()
{
    QVERIFY(!m_window->inspectorAction()->isChecked());
    InspectorDock *dock = m_window->inspector(); // made, but not opened
    QVERIFY(dock->isHidden());
    type(*m_window, u"nobody is watching"_s);
    m_bob->send({{u"type"_s, u"say"_s}, {u"room"_s, u"physics"_s}, {u"text"_s, u"nor now"_s}});
    QTRY_VERIFY_WITH_TIMEOUT(m_session->room(u"physics"_s)->log()->entries().last().text == u"nor now"_s, 10'000);
    dock->log()->flush();
    QCOMPARE(dock->log()->rowCount(), 0);
    QCOMPARE(dock->log()->totalRecorded(), 0);
}

void TestInspector::showsFramesBothWays()
{
    m_window->inspectorAction()->trigger();
    InspectorDock *dock = m_window->inspector();
    QTRY_VERIFY(dock->isVisible());
    m_window->showConversation(m_session->room(u"physics"_s));
    type(*m_window, u"what is a socket?"_s);
    m_bob->send({{u"type"_s, u"say"_s}, {u"room"_s, u"physics"_s}, {u"text"_s, u"an endpoint"_s}});
    m_bob->send({{u"type"_s, u"say"_s}, {u"room"_s, u"lobby"_s}, {u"text"_s, u"meanwhile in the lobby"_s}});
    QTRY_COMPARE_WITH_TIMEOUT(rowsOfType(*dock, u"message"_s), 3, 10'000);
    FrameLog *log = dock->log();
    // Typing told the room first, then the line was said, then it came back
    // (a read marker for the room left may come before all of it).
    const int typing = firstRowOf(*dock, u"typing"_s);
    QVERIFY(typing >= 0);
    QCOMPARE(log->frame(typing).raw, QByteArray(R"({"type":"typing","room":"physics"})" "\n"));
    const int say = firstRowOf(*dock, u"say"_s);
    QVERIFY(say > typing);
    QCOMPARE(log->frame(say).direction, FrameLog::Direction::Sent);
    QVERIFY(log->frame(say).raw.startsWith(R"({"type":"say","room":"physics","text":"what is a socket?","id":)"));
    QVERIFY(log->frame(say).raw.endsWith("}\n"));
    QCOMPARE(log->frame(say + 1).type, u"message"_s);
    QCOMPARE(log->frame(say + 1).direction, FrameLog::Direction::Received);
    QCOMPARE(dock->table()->model()->rowCount(), log->rowCount());
    QVERIFY(dock->summary()->text().contains(u"are kept"_s));
}

void TestInspector::readsTheSelectedFrame()
{
    InspectorDock *dock = m_window->inspector();
    QTableView *table = dock->table();
    table->selectRow(firstRowOf(*dock, u"say"_s));
    QTRY_VERIFY(dock->details()->toPlainText().contains(u"\"text\": \"what is a socket?\""_s));
    QVERIFY(dock->details()->toPlainText().startsWith(u"Sent "_s));
    QVERIFY(dock->details()->toPlainText().contains(u"over tcp"_s));

    const QString name = saveScreenshot(m_window->grab().toImage(), u"inspector.png"_s, m_scratch);
    QVERIFY(!name.isEmpty());
}

void TestInspector::filtersByTypeAndRoom()
{
    InspectorDock *dock = m_window->inspector();
    QComboBox *types = dock->typeFilter();
    QComboBox *rooms = dock->roomFilter();
    QTRY_VERIFY(types->findData(u"message"_s) >= 0);
    QVERIFY(types->findData(u"say"_s) >= 0);
    QVERIFY(rooms->findData(u"lobby"_s) >= 0);
    types->setCurrentIndex(types->findData(u"message"_s));
    QCOMPARE(dock->table()->model()->rowCount(), 3);
    rooms->setCurrentIndex(rooms->findData(u"lobby"_s));
    QCOMPARE(dock->table()->model()->rowCount(), 1);
    QVERIFY(dock->table()->model()->index(0, FrameLog::FrameColumn).data().toString().contains(u"meanwhile"_s));
    types->setCurrentIndex(0);
    rooms->setCurrentIndex(0);
    QCOMPARE(dock->table()->model()->rowCount(), dock->log()->rowCount());
}

void TestInspector::pauseCopyAndSave()
{
    InspectorDock *dock = m_window->inspector();
    FrameLog *log = dock->log();
    dock->pauseButton()->click();
    QVERIFY(log->isPaused());
    const int before = log->rowCount();
    m_bob->send({{u"type"_s, u"say"_s}, {u"room"_s, u"physics"_s}, {u"text"_s, u"while paused"_s}});
    QTRY_COMPARE_WITH_TIMEOUT(log->missedWhilePaused(), 1, 10'000);
    QCOMPARE(log->rowCount(), before);
    QVERIFY(dock->summary()->text().contains(u"paused: 1 frame not kept"_s));
    dock->pauseButton()->click();
    QVERIFY(!log->isPaused());

    const int say = firstRowOf(*dock, u"say"_s);
    dock->table()->selectRow(say);
    QCOMPARE(dock->selectedFrames(), QString::fromUtf8(log->frame(say).raw).trimmed());

    const QString path = m_scratch.filePath(u"frames.jsonl"_s);
    QString error;
    QVERIFY2(dock->saveTo(path, &error), qPrintable(error));
    QFile saved(path);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = saved.readAll().split('\n');
    QCOMPARE(lines.size(), log->rowCount() + 1); // each line ends in '\n'
    const QJsonObject said = QJsonDocument::fromJson(lines.at(say)).object();
    QCOMPARE(said.value(u"direction"_s).toString(), u"sent"_s);
    QCOMPARE(said.value(u"transport"_s).toString(), u"tcp"_s);
    QCOMPARE(said.value(u"frame"_s).toObject().value(u"text"_s).toString(), u"what is a socket?"_s);
    QCOMPARE(said.value(u"size"_s).toInt(), log->frame(say).raw.size());
}

void TestInspector::closingStopsRecording()
{
    InspectorDock *dock = m_window->inspector();
    FrameLog *log = dock->log();
    dock->close();
    QTRY_VERIFY(!m_window->inspectorAction()->isChecked());
    log->clear();
    m_bob->send({{u"type"_s, u"say"_s}, {u"room"_s, u"physics"_s}, {u"text"_s, u"after closing"_s}});
    QTRY_VERIFY_WITH_TIMEOUT(m_session->room(u"physics"_s)->log()->entries().last().text == u"after closing"_s, 10'000);
    log->flush();
    QCOMPARE(log->rowCount(), 0);
    QCOMPARE(log->totalRecorded(), 0);
}

QTEST_MAIN(TestInspector)
#include "tst_inspector.moc"
