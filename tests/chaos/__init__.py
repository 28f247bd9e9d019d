"""The chaos suite: real `tapline serve` processes, real sockets, real faults.

`harness` starts and breaks servers, `clients` plays customers and desks as the SDK does,
`checks` reads the database and every client's view and says what went wrong, and
`scenario` ties them together. `bench/chaos.py` runs the same code for longer.
"""
