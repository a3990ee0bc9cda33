import QtQuick
import QtQuick.Layouts

// One row of the services table, or its heading.
Rectangle {
    id: row

    // {name, state, detail, pid, restarts, port, version}
    property var service: ({})
    property bool heading: false

    readonly property var titles: ({
        "database": qsTr("PostgreSQL"),
        "cache": qsTr("Cache"),
        "search": qsTr("Search")
    })

    function number(n) {
        return n > 0 ? String(n) : "—";
    }

    implicitHeight: cells.implicitHeight + (heading ? 20 : 24)
    color: heading ? "#f7f8fa" : "transparent"
    radius: heading ? 10 : 0

    Rectangle {
        // square off the heading's lower corners
        visible: row.heading
        anchors.bottom: parent.bottom
        width: parent.width
        height: parent.radius
        color: parent.color
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
            Layout.preferredWidth: 150
            Layout.maximumWidth: 150
            spacing: 1
            Text {
                Layout.fillWidth: true
                elide: Text.ElideRight
                text: row.heading ? qsTr("Service") : (row.titles[row.service.name] || row.service.name)
                font.pixelSize: row.heading ? 12 : 14
                font.bold: true
                color: row.heading ? "#6b7280" : "#1f2633"
            }
            Text {
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                visible: !row.heading && text.length > 0
                text: row.heading ? "" : (row.service.version || "")
                font.pixelSize: 12
                color: "#6b7280"
            }
        }
        Item {
            Layout.preferredWidth: 110
            Layout.maximumWidth: 110
            implicitHeight: row.heading ? stateHeading.implicitHeight : badge.implicitHeight
            Text {
                id: stateHeading
                visible: row.heading
                text: qsTr("State")
                font.pixelSize: 12
                font.bold: true
                color: "#6b7280"
            }
            StatusBadge {
                id: badge
                visible: !row.heading
                status: row.service.state || ""
            }
        }
        Text {
            Layout.preferredWidth: 70
            text: row.heading ? qsTr("PID") : row.number(row.service.pid)
            font.pixelSize: row.heading ? 12 : 14
            font.bold: row.heading
            color: row.heading ? "#6b7280" : "#1f2633"
        }
        Text {
            Layout.preferredWidth: 60
            text: row.heading ? qsTr("Port") : row.number(row.service.port)
            font.pixelSize: row.heading ? 12 : 14
            font.bold: row.heading
            color: row.heading ? "#6b7280" : "#1f2633"
        }
        Text {
            Layout.preferredWidth: 70
            text: row.heading ? qsTr("Restarts") : String(row.service.restarts || 0)
            font.pixelSize: row.heading ? 12 : 14
            font.bold: row.heading
            color: row.heading ? "#6b7280" : (row.service.restarts > 0 ? "#c97d00" : "#1f2633")
        }
        Text {
            Layout.fillWidth: true
            text: row.heading ? qsTr("Detail") : (row.service.detail || "")
            wrapMode: Text.Wrap
            font.pixelSize: row.heading ? 12 : 13
            font.bold: row.heading
            color: row.heading ? "#6b7280" : "#374151"
        }
    }

    Rectangle {
        // the line above each service, below the heading or the service before
        visible: !row.heading
        anchors.top: parent.top
        anchors.left: parent.left
        anchors.right: parent.right
        height: 1
        color: "#eef0f4"
    }
}
