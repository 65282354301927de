"""Telling a visitor, by SMS, e-mail or a messenger, that their turn is near (and the hall's
managers about an alarm): the rules (`rules`), the durable outbox (`outbox`), the sending
through apprise (`sender`), and the service that ties them to the followed tickets (`service`).
Contacts live on the web box only and never travel on MQTT."""
