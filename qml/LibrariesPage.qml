pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts

// The libraries: one card per library with its type and folders, its latest scan (status,
// counters, duration) or the progress of the scan under way, and a "Scan now" button.
ScrollView {
    id: page

    required property var libraries

    readonly property var rows: libraries.libraries

    objectName: "librariesPage"
    contentWidth: availableWidth
    clip: true

    // The model reads the database only while this page is on screen.
    Binding {
        target: page.libraries
        property: "active"
        value: page.visible && page.Window.window !== null && page.Window.window.visible
    }

    function isPending(id) {
        return page.libraries.pending.indexOf(id) >= 0;
    }
    function typeLabel(type) {
        switch (type) {
        case "movies": return qsTr("Movies");
        case "tvshows": return qsTr("TV shows");
        case "music": return qsTr("Music");
        case "mixed": return qsTr("Mixed");
        case "adult": return qsTr("Adult");
        default: return type;
        }
    }
    function phaseLabel(phase) {
        switch (phase) {
        case "walking": return qsTr("Walking the folders");
        case "moves": return qsTr("Matching moved files");
        case "identifying": return qsTr("Identifying new and changed files");
        case "cleanup": return qsTr("Removing what is gone");
        case "enqueueing": return qsTr("Queueing probes and metadata");
        case "": return qsTr("Starting");
        default: return phase;
        }
    }
    function duration(ms) {
        if (ms < 1000)
            return qsTr("%1 ms").arg(ms);
        const s = ms / 1000;
        if (s < 60)
            return qsTr("%1 s").arg(Number(s).toLocaleString(Qt.locale(), "f", 1));
        const m = Math.floor(s / 60);
        if (m < 60)
            return qsTr("%1 min %2 s").arg(m).arg(Math.floor(s % 60));
        return qsTr("%1 h %2 min").arg(Math.floor(m / 60)).arg(m % 60);
    }
    function validTime(t) {
        return !!t && !isNaN(t);
    }

    ColumnLayout {
        width: page.availableWidth
        spacing: 16

        // --- heading -------------------------------------------------------------------------
        ColumnLayout {
            Layout.fillWidth: true
            Layout.leftMargin: 24
            Layout.rightMargin: 24
            Layout.topMargin: 20
            spacing: 2

            RowLayout {
                Layout.fillWidth: true
                spacing: 10

                Text {
                    text: qsTr("Libraries")
                    font.pixelSize: 18
                    font.bold: true
                    color: "#1f2633"
                }
                Item {
                    Layout.fillWidth: true
                }
                Text {
                    visible: page.validTime(page.libraries.lastRefreshed)
                    text: qsTr("Updated %1").arg(Qt.formatTime(page.libraries.lastRefreshed, "hh:mm:ss"))
                    font.pixelSize: 12
                    color: "#9aa3b2"
                }
            }
            Text {
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                text: !page.libraries.available
                      ? qsTr("Waiting for the database: libraries show once it is ready.")
                      : page.rows.length === 0
                        ? qsTr("No library yet. Add one through the API (POST /api/libraries) from this machine.")
                        : qsTr("Scans find new, changed, moved and removed files; a running scan shows its progress here.")
                font.pixelSize: 13
                color: "#6b7280"
            }
        }

        // --- the last failed action or refresh ---------------------------------------------
        Rectangle {
            Layout.fillWidth: true
            Layout.leftMargin: 24
            Layout.rightMargin: 24
            visible: page.libraries.lastError.length > 0
            implicitHeight: errorRow.implicitHeight + 20
            radius: 8
            color: "#fdecea"
            border.color: "#f3b8b3"

            RowLayout {
                id: errorRow
                anchors.left: parent.left
                anchors.right: parent.right
                anchors.verticalCenter: parent.verticalCenter
                anchors.leftMargin: 14
                anchors.rightMargin: 10
                spacing: 12

                Text {
                    Layout.fillWidth: true
                    text: page.libraries.lastError
                    wrapMode: Text.Wrap
                    font.pixelSize: 13
                    color: "#9b2c24"
                }
                ActionButton {
                    text: qsTr("Dismiss")
                    tone: "#d13a32"
                    onClicked: page.libraries.clearError()
                }
            }
        }

        // --- one card per library ------------------------------------------------------------
        // A Grid positioner, not a GridLayout: on Qt 6.4 a Repeater directly in a Quick Layout
        // whose model changes can make the layout read a freed delegate (a crash in
        // QQuickLayout::effectiveSizePolicy_helper).
        Grid {
            id: cards

            // From the page, not the Grid's own width: that fed back into its implicit width and
            // made a polish loop under a real window system (xcb).
            readonly property real cellWidth: (page.availableWidth - 48 - (columns - 1) * columnSpacing) / columns

            Layout.fillWidth: true
            Layout.leftMargin: 24
            Layout.rightMargin: 24
            Layout.bottomMargin: 24
            visible: page.rows.length > 0
            columns: Math.max(1, Math.floor((page.availableWidth - 48 + columnSpacing) / (480 + columnSpacing)))
            columnSpacing: 16
            rowSpacing: 16

            Repeater {
                // A count, not the list: a refresh then updates the cards in place instead of
                // rebuilding them (and the layout around them) every two seconds.
                model: page.rows.length

                Rectangle {
                    id: card

                    required property int index
                    readonly property var library: page.rows[index] || ({})
                    readonly property bool busy: page.isPending(library.id || "")

                    readonly property bool running: !!library.running
                    readonly property bool queued: !!library.queued
                    readonly property string status: library.status || ""
                    readonly property var counters: [
                        { key: "scanned", label: qsTr("Scanned"), tone: "#4a6cf0" },
                        { key: "added", label: qsTr("Added"), tone: "#23974a" },
                        { key: "updated", label: qsTr("Updated"), tone: "#0f766e" },
                        { key: "moved", label: qsTr("Moved"), tone: "#6d5bd0" },
                        { key: "removed", label: qsTr("Removed"), tone: "#c97d00" },
                        { key: "errors", label: qsTr("Errors"), tone: "#d13a32" }
                    ]

                    width: cards.cellWidth
                    implicitHeight: content.implicitHeight + 32
                    radius: 10
                    color: "#ffffff"
                    border.color: "#e1e5eb"

                    Rectangle {
                        // the stripe on the left edge: green while scanning, blue when queued, red after a
                        // failed scan
                        width: 5
                        height: parent.height - 2 * parent.radius
                        anchors.verticalCenter: parent.verticalCenter
                        anchors.left: parent.left
                        radius: 2
                        color: card.running ? "#23974a"
                             : card.queued ? "#4a6cf0"
                             : card.status === "failed" ? "#d13a32"
                             : "#c5cbd5"
                    }

                    ColumnLayout {
                        id: content
                        anchors.fill: parent
                        anchors.margins: 16
                        anchors.leftMargin: 22
                        spacing: 10

                        RowLayout {
                            Layout.fillWidth: true
                            spacing: 10

                            Text {
                                Layout.maximumWidth: 200
                                text: card.library.name || ""
                                font.pixelSize: 17
                                font.bold: true
                                color: "#1f2633"
                                elide: Text.ElideRight
                            }
                            QueueTag {
                                name: page.typeLabel(card.library.type || "")
                            }
                            QueueTag {
                                visible: card.library.enabled === false
                                name: qsTr("Disabled")
                            }
                            Item {
                                Layout.fillWidth: true
                            }
                            StatusBadge {
                                visible: card.running || (!card.queued && card.status.length > 0)
                                status: card.running ? "running" : card.status
                            }
                            StatusBadge {
                                // a scan job waits for a worker ("Scheduled" is the nearest job state)
                                visible: card.queued
                                status: "scheduled"
                            }
                            ActionButton {
                                text: card.running ? qsTr("Scanning") : card.queued ? qsTr("Queued") : qsTr("Scan now")
                                tone: "#4a6cf0"
                                busy: card.busy
                                enabled: !card.busy && !card.running && !card.queued
                                onClicked: page.libraries.scanNow(card.library.id)
                            }
                        }

                        // the folders, one a line
                        Text {
                            Layout.fillWidth: true
                            text: (card.library.paths || []).join("\n")
                            wrapMode: Text.WrapAnywhere
                            font.pixelSize: 12
                            font.family: "monospace"
                            color: "#374151"
                        }

                        Rectangle {
                            Layout.fillWidth: true
                            height: 1
                            color: "#eef0f4"
                        }

                        // --- a scan under way: its phase and how far it got -----------------------------
                        ColumnLayout {
                            Layout.fillWidth: true
                            visible: card.running
                            spacing: 6

                            Text {
                                Layout.fillWidth: true
                                wrapMode: Text.Wrap
                                text: qsTr("%1 · %2 files scanned")
                                      .arg(page.phaseLabel(card.library.phase || ""))
                                      .arg(Number(card.library.scanned || 0).toLocaleString(Qt.locale(), "f", 0))
                                font.pixelSize: 13
                                color: "#1f2633"
                            }
                            ProgressBar {
                                // the scanner does not know the total while it walks
                                Layout.fillWidth: true
                                indeterminate: true
                                implicitHeight: 4
                            }
                        }

                        Text {
                            Layout.fillWidth: true
                            visible: !card.running && !card.library.hasScan
                            text: card.queued ? qsTr("The first scan is queued.") : qsTr("Not scanned yet.")
                            font.pixelSize: 13
                            color: "#6b7280"
                        }

                        // --- counters: the latest scan, or the one running -----------------------------
                        Flow {
                            Layout.fillWidth: true
                            visible: !!card.library.hasScan
                            spacing: 6

                            Repeater {
                                model: card.counters

                                CountChip {
                                    required property var modelData
                                    label: modelData.label
                                    tone: modelData.tone
                                    count: card.library[modelData.key] || 0
                                }
                            }
                        }

                        Text {
                            Layout.fillWidth: true
                            visible: !!card.library.hasScan && !card.running
                            wrapMode: Text.Wrap
                            text: {
                                const parts = [];
                                if (page.validTime(card.library.finishedAt))
                                    parts.push(qsTr("Finished %1").arg(Qt.formatDateTime(card.library.finishedAt, "dd MMM hh:mm:ss")));
                                else if (page.validTime(card.library.startedAt))
                                    parts.push(qsTr("Started %1").arg(Qt.formatDateTime(card.library.startedAt, "dd MMM hh:mm:ss")));
                                parts.push(qsTr("took %1").arg(page.duration(card.library.durationMs || 0)));
                                return parts.join(" · ");
                            }
                            font.pixelSize: 12
                            color: "#6b7280"
                        }

                        Text {
                            Layout.fillWidth: true
                            visible: !card.running && (card.library.error || "").length > 0
                            text: card.library.error || ""
                            wrapMode: Text.Wrap
                            maximumLineCount: 3
                            elide: Text.ElideRight
                            font.pixelSize: 12
                            font.family: "monospace"
                            color: "#9b2c24"
                        }

                        Item {
                            Layout.fillHeight: true
                        }
                    }
                }
            }
        }
    }
}
