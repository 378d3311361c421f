/// OnionService: the pure (no network I/O) part of reaching a v3 onion service as a client.
///
/// The order of use, for one connection:
/// 1. ``OnionAddress`` from what the person typed.
/// 2. ``TimePeriod`` from the live consensus (`valid-after`, voting interval, `hsdir_interval`;
///    the testing-network switch mirrors the services' `TestingTorNetwork`).
/// 3. ``BlindedKeys`` for (address, period): the descriptor ID `A'` and the subcredential.
/// 4. ``HSDirRing`` with the consensus HSDirs and the SRV from
///    ``HSDirRing/sharedRandomValueForFetching(validAfter:votingInterval:current:previous:period:)``
///    gives the HSDirs to ask for `/tor/hs/3/<A'>`.
/// 5. ``HSDescriptor/decode(_:keys:clientAuthKey:now:)`` verifies and decrypts the descriptor
///    (client keys from ``ClientAuthDirectory``), giving ``IntroductionPoint``s.
/// 6. ``HsNtorClient`` builds INTRODUCE1, ``IntroduceAck`` reads the answer, and
///    ``HsNtorClient/complete(rendezvous2:)`` yields the virtual hop's keys.
public enum OnionServiceModule {}
