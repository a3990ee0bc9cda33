pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts

// One card per component of the health report (database, cache, search, jobs, http).
ScrollView {
    id: page

    required property var dashboard

    readonly property var components: dashboard.components
    readonly property int healthyCount: components.filter(c => c.status === "healthy").length

    contentWidth: availableWidth
    clip: true

    ColumnLayout {
        width: page.availableWidth
        spacing: 16

        ColumnLayout {
            Layout.fillWidth: true
            Layout.leftMargin: 24
            Layout.rightMargin: 24
            Layout.topMargin: 20
            spacing: 2

            Text {
                text: qsTr("Components")
                font.pixelSize: 18
                font.bold: true
                color: "#1f2633"
            }
            Text {
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                text: page.components.length === 0
                      ? qsTr("Waiting for the first health check…")
                      : qsTr("%1 of %2 components healthy. PostgreSQL is required; the cache and search only degrade the service.")
                        .arg(page.healthyCount).arg(page.components.length)
                font.pixelSize: 13
                color: "#6b7280"
            }
        }

        // A Grid positioner, not a GridLayout: on Qt 6.4 a Repeater directly in a Quick Layout
        // whose model changes can make the layout read a freed delegate (a crash in
        // QQuickLayout::effectiveSizePolicy_helper). The cards still share each row's height and
        // split the width evenly, as the GridLayout made them.
        Grid {
            id: cards

            readonly property int usedColumns: Math.max(1, Math.min(columns, cardRepeater.count))
            // from the page, not the Grid's own width: a positioner skips zero-width items, so
            // cards sized from it could leave it (and themselves) at zero width
            readonly property real cellWidth: (page.availableWidth - 48 - (usedColumns - 1) * columnSpacing) / usedColumns
            // bumped when a card comes or goes, so that rowHeight() reads the cards again
            property int revision: 0

            // the width of a card in column c: the GridLayout put each card on whole pixels
            function cardWidth(c) {
                return Math.round((c + 1) * cellWidth + c * columnSpacing) - Math.round(c * (cellWidth + columnSpacing));
            }
            // the tallest card of a row: every card of the row takes its height
            function rowHeight(row) {
                cards.revision;
                let h = 0;
                for (let i = row * usedColumns; i < Math.min((row + 1) * usedColumns, cardRepeater.count); ++i) {
                    const item = cardRepeater.itemAt(i);
                    if (item)
                        h = Math.max(h, item.implicitHeight);
                }
                return h;
            }

            Layout.fillWidth: true
            Layout.leftMargin: 24
            Layout.rightMargin: 24
            Layout.bottomMargin: 24
            columns: Math.max(1, Math.floor((page.availableWidth - 48 + columnSpacing) / (340 + columnSpacing)))
            columnSpacing: 16
            rowSpacing: 16

            Repeater {
                id: cardRepeater

                // A count, not the list: a refresh then updates the cards in place instead of
                // rebuilding them every two seconds.
                model: page.components.length
                onItemAdded: cards.revision++
                onItemRemoved: cards.revision++

                ComponentCard {
                    required property int index
                    info: page.components[index] || ({})
                    width: cards.cardWidth(index % cards.usedColumns)
                    height: cards.rowHeight(Math.floor(index / cards.usedColumns))
                }
            }
        }
    }
}
