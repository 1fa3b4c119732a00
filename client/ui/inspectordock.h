#pragma once

#include "framelog.h"

#include <QDockWidget>

class ChatSession;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QTableView;
class QToolButton;

// The frame inspector: a dock listing every frame between this client and
// the server, newest at the bottom, with the selected one pretty-printed
// underneath. Filters by type and room; pause, clear, copy, save as JSON
// lines. Records only while open: closing it detaches the log from the
// connection, so a closed inspector costs nothing.
class InspectorDock final : public QDockWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InspectorDock)

public:
    explicit InspectorDock(ChatSession *session, QWidget *parent = nullptr);
    ~InspectorDock() override;

    FrameLog *log() { return &m_log; }
    FrameFilter *filter() { return m_filter; }
    QTableView *table() const { return m_table; }
    QPlainTextEdit *details() const { return m_details; }
    QComboBox *typeFilter() const { return m_types; }
    QComboBox *roomFilter() const { return m_rooms; }
    QToolButton *pauseButton() const { return m_pause; }
    QLabel *summary() const { return m_summary; }

    // Records from now even before the dock is first shown (--inspect).
    void startRecording() { attach(true); }

    // The frames the filters show, as JSON lines (what Save writes).
    QByteArray shownAsJsonLines() const;
    // Writes them to `path`; false with `error` set if it cannot.
    bool saveTo(const QString &path, QString *error);
    // The selected frames' raw text, one a line (what Copy puts on the clipboard).
    QString selectedFrames() const;

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void attach(bool recording);
    void refillFilters();
    void showSelected();
    void updateSummary();
    void askSave();

    ChatSession *m_session;
    FrameLog m_log;
    FrameFilter *m_filter;
    QTableView *m_table;
    QPlainTextEdit *m_details;
    QComboBox *m_types;
    QComboBox *m_rooms;
    QToolButton *m_pause;
    QLabel *m_summary;
    bool m_followTail = true;
};
