"""The SkyWay demo airline: its seed data and its pages. `tapline demo` seeds it and serves it
by handing `pages.install` to the app factory; nothing below this package imports it."""
