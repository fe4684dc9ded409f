"""The Kivy touchscreen app. Holds no clinical or device logic: it shows what ``sonocart`` decides."""
