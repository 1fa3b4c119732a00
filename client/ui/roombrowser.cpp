#include "roombrowser.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

RoomBrowser::RoomBrowser(QWidget *parent)
    : QDialog(parent)
    , m_name(new QLineEdit(this))
    , m_table(new QTableWidget(0, 3, this))
{
    setWindowTitle(tr("Rooms"));
    m_name->setPlaceholderText(tr("Room name — pick one below or type a new one"));
    m_table->setHorizontalHeaderLabels({tr("Room"), tr("People"), tr("Topic")});
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSortingEnabled(true);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton *join = buttons->addButton(tr("&Join"), QDialogButtonBox::AcceptRole);
    QPushButton *refresh = buttons->addButton(tr("&Refresh"), QDialogButtonBox::ActionRole);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_name);
    layout->addWidget(m_table);
    layout->addWidget(buttons);
    resize(560, 380);

    connect(join, &QPushButton::clicked, this, &RoomBrowser::joinSelected);
    connect(refresh, &QPushButton::clicked, this, &RoomBrowser::refreshRequested);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_name, &QLineEdit::returnPressed, this, &RoomBrowser::joinSelected);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, [this] {
        const auto rows = m_table->selectionModel()->selectedRows();
        if (!rows.isEmpty())
            m_name->setText(m_table->item(rows.first().row(), 0)->text());
    });
    connect(m_table, &QTableWidget::cellDoubleClicked, this, [this](int row) {
        m_name->setText(m_table->item(row, 0)->text());
        joinSelected();
    });
}

void RoomBrowser::setRooms(const QList<Confab::Protocol::RoomInfo> &rooms)
{
    m_table->setSortingEnabled(false);
    m_table->setRowCount(int(rooms.size()));
    for (int row = 0; row < rooms.size(); ++row) {
        const auto &room = rooms.at(row);
        m_table->setItem(row, 0, new QTableWidgetItem(room.name));
        auto *count = new QTableWidgetItem;
        count->setData(Qt::DisplayRole, room.members);
        m_table->setItem(row, 1, count);
        m_table->setItem(row, 2, new QTableWidgetItem(room.topic));
    }
    m_table->setSortingEnabled(true);
    m_table->resizeColumnToContents(0);
}

void RoomBrowser::joinSelected()
{
    QString name = m_name->text().trimmed();
    if (name.startsWith(QLatin1Char('#')))
        name.remove(0, 1);
    if (name.isEmpty())
        return;
    emit joinRequested(name);
    accept();
}
