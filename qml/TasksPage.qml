pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts

// The scheduled tasks (tasks.* in the configuration): their schedule, how and when they last
// ran, when they run next, and a "Run now" button.
ScrollView {
    id: page

    required property var tasks

    readonly property var rows: tasks.tasks
    // A clock for "in 3 h" / "5 min ago"; ticks only while the page shows.
    property real now: Date.now()

    objectName: "tasksPage"
    contentWidth: availableWidth
    clip: true

    // The model reads the database only while this page is on screen.
    Binding {
        target: page.tasks
        property: "active"
        value: page.visible && page.Window.window !== null && page.Window.window.visible
    }

    Timer {
        interval: 15000
        repeat: true
        running: page.visible
        triggeredOnStart: true
        onTriggered: page.now = Date.now()
    }

    function isPending(name) {
        return page.tasks.pending.indexOf(name) >= 0;
    }
    function validTime(t) {
        return !!t && !isNaN(t);
    }
    function title(name) {
        switch (name) {
        case "library_scan": return qsTr("Library scan");
        case "metadata_refresh": return qsTr("Metadata refresh");
        case "session_cleanup": return qsTr("Session clean-up");
        case "image_trim": return qsTr("Image cache trim");
        default: return name;
        }
    }
    function description(task) {
        switch (task.name) {
        case "library_scan": return qsTr("Rescan every library");
        case "metadata_refresh": return qsTr("Fetch missing and stale remote metadata");
        case "session_cleanup": return qsTr("Delete expired sessions");
        case "image_trim": return qsTr("Trim the image cache");
        default: return task.description || "";
        }
    }
    function scheduleLabel(task) {
        if (!task.enabled)
            return qsTr("Off");
        const s = task.schedule || "";
        switch (s) {
        case "@hourly": return qsTr("Hourly");
        case "@daily":
        case "@midnight": return qsTr("Daily at midnight");
        case "@weekly": return qsTr("Weekly, Sunday at midnight");
        case "@monthly": return qsTr("Monthly, on the 1st at midnight");
        case "@yearly":
        case "@annually": return qsTr("Yearly, on 1 January");
        }
        if (/^[0-9]+[smhd]$/.test(s))
            return qsTr("Every %1").arg(s);
        return qsTr("Cron: %1").arg(s);
    }
    // "in 3 h 20 min" / "5 min ago", from page.now.
    function relative(t) {
        const ms = t.getTime() - page.now;
        const minutes = Math.round(Math.abs(ms) / 60000);
        let span;
        if (minutes < 1)
            span = qsTr("less than a minute");
        else if (minutes < 60)
            span = qsTr("%1 min").arg(minutes);
        else if (minutes < 48 * 60)
            span = qsTr("%1 h %2 min").arg(Math.floor(minutes / 60)).arg(minutes % 60);
        else
            span = qsTr("%1 days").arg(Math.floor(minutes / 1440));
        return ms >= 0 ? qsTr("in %1").arg(span) : qsTr("%1 ago").arg(span);
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
                    text: qsTr("Scheduled tasks")
                    font.pixelSize: 18
                    font.bold: true
                    color: "#1f2633"
                }
                Item {
                    Layout.fillWidth: true
                }
                Text {
                    visible: page.validTime(page.tasks.lastRefreshed)
                    text: qsTr("Updated %1").arg(Qt.formatTime(page.tasks.lastRefreshed, "hh:mm:ss"))
                    font.pixelSize: 12
                    color: "#9aa3b2"
                }
            }
            Text {
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                text: page.tasks.available
                      ? qsTr("Each task is a periodic job run by the leading instance; schedules are set under tasks in the configuration.")
                      : qsTr("Waiting for the database: the last runs show once it is ready.")
                font.pixelSize: 13
                color: "#6b7280"
            }
        }

        // --- the last failed action or refresh ---------------------------------------------
        Rectangle {
            Layout.fillWidth: true
            Layout.leftMargin: 24
            Layout.rightMargin: 24
            visible: page.tasks.lastError.length > 0
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
                    text: page.tasks.lastError
                    wrapMode: Text.Wrap
                    font.pixelSize: 13
                    color: "#9b2c24"
                }
                ActionButton {
                    text: qsTr("Dismiss")
                    tone: "#d13a32"
                    onClicked: page.tasks.clearError()
                }
            }
        }

        // --- the table -----------------------------------------------------------------------
        Rectangle {
            Layout.fillWidth: true
            Layout.leftMargin: 24
            Layout.rightMargin: 24
            Layout.bottomMargin: 24
            visible: page.rows.length > 0
            implicitHeight: table.implicitHeight
            radius: 10
            color: "#ffffff"
            border.color: "#e1e5eb"

            ColumnLayout {
                id: table
                width: parent.width
                spacing: 0

                // heading
                Rectangle {
                    Layout.fillWidth: true
                    implicitHeight: headingCells.implicitHeight + 20
                    color: "#f7f8fa"
                    radius: 10

                    Rectangle {
                        // square off the lower corners
                        anchors.bottom: parent.bottom
                        width: parent.width
                        height: parent.radius
                        color: parent.color
                    }

                    RowLayout {
                        id: headingCells
                        anchors.left: parent.left
                        anchors.right: parent.right
                        anchors.verticalCenter: parent.verticalCenter
                        anchors.leftMargin: 16
                        anchors.rightMargin: 16
                        spacing: 12

                        Repeater {
                            model: [
                                { text: qsTr("Task"), width: 230 },
                                { text: qsTr("Schedule"), width: 150 },
                                { text: qsTr("Last run"), width: -1 },
                                { text: qsTr("Next run"), width: 150 },
                                { text: "", width: 90 }
                            ]
                            Text {
                                required property var modelData
                                Layout.preferredWidth: modelData.width > 0 ? modelData.width : -1
                                Layout.fillWidth: modelData.width < 0
                                text: modelData.text
                                font.pixelSize: 12
                                font.bold: true
                                color: "#6b7280"
                            }
                        }
                    }
                }

                // A Column positioner around the Repeater: on Qt 6.4 a Repeater directly in a Quick
                // Layout whose model changes can make the layout read a freed delegate.
                Column {
                    id: taskRows
                    Layout.fillWidth: true

                    Repeater {
                        // A count, not the list: a refresh updates the rows in place.
                        model: page.rows.length

                        Item {
                            id: row

                            required property int index
                            readonly property var task: page.rows[index] || ({})

                            width: taskRows.width
                            implicitHeight: cells.implicitHeight + 24

                            Rectangle {
                                // the line above each task
                                anchors.top: parent.top
                                anchors.left: parent.left
                                anchors.right: parent.right
                                height: 1
                                color: "#eef0f4"
                            }

                            RowLayout {
                                id: cells
                                anchors.left: parent.left
                                anchors.right: parent.right
                                anchors.verticalCenter: parent.verticalCenter
                                anchors.leftMargin: 16
                                anchors.rightMargin: 16
                                spacing: 12

                                ColumnLayout {
                                    // a layout fills by default: this column keeps its width
                                    Layout.fillWidth: false
                                    Layout.preferredWidth: 230
                                    Layout.maximumWidth: 230
                                    spacing: 2
                                    Text {
                                        Layout.fillWidth: true
                                        elide: Text.ElideRight
                                        text: page.title(row.task.name)
                                        font.pixelSize: 14
                                        font.bold: true
                                        color: "#1f2633"
                                    }
                                    Text {
                                        Layout.fillWidth: true
                                        wrapMode: Text.Wrap
                                        text: page.description(row.task)
                                        font.pixelSize: 12
                                        color: "#6b7280"
                                    }
                                }

                                ColumnLayout {
                                    // a layout fills by default: this column keeps its width
                                    Layout.fillWidth: false
                                    Layout.preferredWidth: 150
                                    Layout.maximumWidth: 150
                                    spacing: 2
                                    Text {
                                        Layout.fillWidth: true
                                        wrapMode: Text.Wrap
                                        text: page.scheduleLabel(row.task)
                                        font.pixelSize: 13
                                        color: row.task.enabled ? "#1f2633" : "#9aa3b2"
                                    }
                                }

                                ColumnLayout {
                                    Layout.fillWidth: true
                                    spacing: 4
                                    Text {
                                        Layout.fillWidth: true // lets the column take the free width
                                        visible: !row.task.hasLastRun
                                        text: qsTr("Never ran")
                                        font.pixelSize: 13
                                        color: "#9aa3b2"
                                    }
                                    RowLayout {
                                        Layout.fillWidth: true
                                        visible: !!row.task.hasLastRun
                                        spacing: 8
                                        StatusBadge {
                                            status: row.task.lastRunState || ""
                                        }
                                        Text {
                                            visible: page.validTime(row.task.lastRunAt)
                                            text: page.validTime(row.task.lastRunAt)
                                                  ? Qt.formatDateTime(row.task.lastRunAt, "dd MMM hh:mm:ss")
                                                  : ""
                                            font.pixelSize: 12
                                            color: "#6b7280"
                                        }
                                        Item {
                                            Layout.fillWidth: true
                                        }
                                    }
                                    Text {
                                        Layout.fillWidth: true
                                        visible: (row.task.lastRunError || "").length > 0
                                        text: row.task.lastRunError || ""
                                        wrapMode: Text.Wrap
                                        maximumLineCount: 2
                                        elide: Text.ElideRight
                                        font.pixelSize: 12
                                        font.family: "monospace"
                                        color: "#9b2c24"
                                    }
                                }

                                ColumnLayout {
                                    // a layout fills by default: this column keeps its width
                                    Layout.fillWidth: false
                                    Layout.preferredWidth: 150
                                    Layout.maximumWidth: 150
                                    spacing: 2
                                    Text {
                                        text: page.validTime(row.task.nextRun)
                                              ? Qt.formatDateTime(row.task.nextRun, "dd MMM hh:mm")
                                              : "—"
                                        font.pixelSize: 13
                                        color: "#1f2633"
                                    }
                                    Text {
                                        visible: page.validTime(row.task.nextRun)
                                        text: page.validTime(row.task.nextRun) ? page.relative(row.task.nextRun) : ""
                                        font.pixelSize: 12
                                        color: "#6b7280"
                                    }
                                }

                                Item {
                                    Layout.preferredWidth: 90
                                    implicitHeight: runButton.implicitHeight
                                    ActionButton {
                                        id: runButton
                                        anchors.right: parent.right
                                        text: qsTr("Run now")
                                        tone: "#4a6cf0"
                                        busy: page.isPending(row.task.name)
                                        enabled: !busy && page.tasks.available
                                        onClicked: page.tasks.runNow(row.task.name)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
