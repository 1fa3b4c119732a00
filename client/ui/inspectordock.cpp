#include "inspectordock.h"

#include "chatsession.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QSaveFile>
#include <QScrollBar>
#include <QShowEvent>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

InspectorDock::InspectorDock(ChatSession *session, QWidget *parent)
    : QDockWidget(tr("Frame Inspector"), parent)
    , m_session(session)
    , m_filter(new FrameFilter(this))
{
    setObjectName(QStringLiteral("frameInspector"));
    m_filter->setSourceModel(&m_log);

    auto *content = new QWidget(this);
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(4, 4, 4, 4);

    auto *bar = new QHBoxLayout;
    m_pause = new QToolButton(content);
    m_pause->setText(tr("&Pause"));
    m_pause->setCheckable(true);
    m_pause->setToolTip(tr("Stop recording for a moment; frames meanwhile are counted, not kept"));
    auto *clear = new QToolButton(content);
    clear->setText(tr("C&lear"));
    auto *copy = new QToolButton(content);
    copy->setText(tr("&Copy"));
    copy->setToolTip(tr("Copy the selected frames, as they went over the wire"));
    auto *save = new QToolButton(content);
    save->setText(tr("&Save…"));
    save->setToolTip(tr("Save the frames shown as JSON lines"));
    m_types = new QComboBox(content);
    m_types->setAccessibleName(tr("Type filter"));
    m_rooms = new QComboBox(content);
    m_rooms->setAccessibleName(tr("Room filter"));
    bar->addWidget(m_pause);
    bar->addWidget(clear);
    bar->addWidget(copy);
    bar->addWidget(save);
    bar->addSpacing(8);
    bar->addWidget(new QLabel(tr("Type:"), content));
    bar->addWidget(m_types, 1);
    bar->addWidget(new QLabel(tr("Room:"), content));
    bar->addWidget(m_rooms, 1);
    layout->addLayout(bar);

    auto *splitter = new QSplitter(Qt::Vertical, content);
    m_table = new QTableView(splitter);
    m_table->setModel(m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 4);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    const int digit = QFontMetrics(fixed).horizontalAdvance(QLatin1Char('0'));
    m_table->setColumnWidth(FrameLog::TimeColumn, digit * 15);
    m_table->setColumnWidth(FrameLog::DirectionColumn, digit * 5);
    m_table->setColumnWidth(FrameLog::TransportColumn, digit * 6);
    m_table->setColumnWidth(FrameLog::SizeColumn, digit * 7);
    m_table->setColumnWidth(FrameLog::TypeColumn, digit * 11);
    m_table->setColumnWidth(FrameLog::RoomColumn, digit * 10);
    m_table->setFont(fixed);
    m_details = new QPlainTextEdit(splitter);
    m_details->setReadOnly(true);
    m_details->setFont(fixed);
    m_details->setPlaceholderText(tr("Select a frame to read it here."));
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);
    m_summary = new QLabel(content);
    layout->addWidget(m_summary);
    setWidget(content);

    connect(m_pause, &QToolButton::toggled, &m_log, &FrameLog::setPaused);
    connect(clear, &QToolButton::clicked, &m_log, &FrameLog::clear);
    connect(copy, &QToolButton::clicked, this, [this] { QApplication::clipboard()->setText(selectedFrames()); });
    connect(save, &QToolButton::clicked, this, &InspectorDock::askSave);
    connect(m_types, &QComboBox::currentIndexChanged, this,
            [this] { m_filter->setType(m_types->currentData().toString()); });
    connect(m_rooms, &QComboBox::currentIndexChanged, this,
            [this] { m_filter->setRoom(m_rooms->currentData().toString()); });
    connect(&m_log, &FrameLog::filtersChanged, this, &InspectorDock::refillFilters);
    connect(&m_log, &FrameLog::countsChanged, this, &InspectorDock::updateSummary);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &InspectorDock::showSelected);
    // Stay at the newest frame, unless the user scrolled up to read.
    connect(m_table->verticalScrollBar(), &QScrollBar::valueChanged, this,
            [this](int value) { m_followTail = value == m_table->verticalScrollBar()->maximum(); });
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_followTail)
            m_table->scrollToBottom();
    });
    refillFilters();
    updateSummary();
}

InspectorDock::~InspectorDock()
{
    attach(false);
}

void InspectorDock::showEvent(QShowEvent *event)
{
    QDockWidget::showEvent(event);
    attach(true);
}

void InspectorDock::hideEvent(QHideEvent *event)
{
    QDockWidget::hideEvent(event);
    // A minimised window hides its docks too; that is not closing them.
    if (!event->spontaneous())
        attach(false);
}

void InspectorDock::attach(bool recording)
{
    m_session->setFrameLog(recording ? &m_log : nullptr);
}

void InspectorDock::refillFilters()
{
    const auto refill = [](QComboBox *box, const QString &any, const QStringList &values, const QString &prefix) {
        const QString current = box->currentData().toString();
        const QSignalBlocker blocker(box);
        box->clear();
        box->addItem(any, QString());
        for (const QString &value : values)
            box->addItem(prefix + value, value);
        box->setCurrentIndex(qMax(0, box->findData(current)));
    };
    refill(m_types, tr("All types"), m_log.types(), QString());
    refill(m_rooms, tr("All rooms"), m_log.rooms(), QStringLiteral("#"));
}

void InspectorDock::showSelected()
{
    const QModelIndex current = m_filter->mapToSource(m_table->currentIndex());
    if (!current.isValid()) {
        m_details->clear();
        return;
    }
    const FrameLog::Frame &frame = m_log.frame(current.row());
    const QString heading = tr("%1 %2 over %3, %4 bytes")
                                    .arg(frame.direction == FrameLog::Direction::Sent ? tr("Sent") : tr("Received"),
                                         frame.time.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz")),
                                         frame.transport, QLocale().toString(frame.raw.size()));
    m_details->setPlainText(heading + QStringLiteral("\n\n") + FrameLog::pretty(frame));
}

void InspectorDock::updateSummary()
{
    const auto frames = [](qint64 n) {
        return n == 1 ? tr("1 frame") : tr("%1 frames").arg(QLocale().toString(n));
    };
    QString text = tr("%1 since cleared; the last %2 are kept")
                           .arg(frames(m_log.totalRecorded()), QLocale().toString(m_log.capacity()));
    if (m_log.isPaused())
        text += tr(" · paused: %1 not kept").arg(frames(m_log.missedWhilePaused()));
    m_summary->setText(text);
}

QByteArray InspectorDock::shownAsJsonLines() const
{
    QByteArray out;
    for (int row = 0; row < m_filter->rowCount(); ++row) {
        const QModelIndex source = m_filter->mapToSource(m_filter->index(row, 0));
        out += FrameLog::toJsonLine(m_log.frame(source.row()));
        out += '\n';
    }
    return out;
}

bool InspectorDock::saveTo(const QString &path, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(shownAsJsonLines()) < 0 || !file.commit()) {
        *error = file.errorString();
        return false;
    }
    return true;
}

QString InspectorDock::selectedFrames() const
{
    QModelIndexList rows = m_table->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end());
    QStringList lines;
    for (const QModelIndex &row : std::as_const(rows)) {
        QByteArray raw = m_log.frame(m_filter->mapToSource(row).row()).raw;
        if (raw.endsWith('\n'))
            raw.chop(1);
        lines << QString::fromUtf8(raw);
    }
    return lines.join(QLatin1Char('\n'));
}

void InspectorDock::askSave()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save Frames"), QStringLiteral("frames.jsonl"),
                                                      tr("JSON lines (*.jsonl);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!saveTo(path, &error))
        QMessageBox::warning(this, tr("Save Frames"), tr("Could not save the frames to %1: %2").arg(path, error));
}
