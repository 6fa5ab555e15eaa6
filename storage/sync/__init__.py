"""The replica: a Nærvær file on the advisor's laptop that is kept in step with the server.

`tables` holds what only a replica has (its state, its outbox of edits, the conflicts) and the
triggers that fill the outbox; `push` applies the outbox on the server, `pull` brings the
server's rows into the file. The use cases in storage.usecases.sync put them together.
"""
