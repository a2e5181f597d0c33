// Kafka's protocol error codes (clients/src/main/java/org/apache/kafka/common/protocol/Errors.java).
namespace Eddy.Protocol;

/// <summary>
/// An error code as carried in Kafka responses. Values and names follow Kafka's <c>Errors</c> table.
/// </summary>
/// <example>
/// <code>
/// if (partition.ErrorCode != (short)ErrorCode.None)
///     Console.WriteLine(((ErrorCode)partition.ErrorCode).Describe());
/// </code>
/// </example>
public enum ErrorCode : short
{
    /// <summary>UNKNOWN_SERVER_ERROR (-1): The server hit an unexpected error while processing the request.</summary>
    UnknownServerError = -1,
    /// <summary>NONE (0): No error.</summary>
    None = 0,
    /// <summary>OFFSET_OUT_OF_RANGE (1): The requested offset is outside the range the partition holds.</summary>
    OffsetOutOfRange = 1,
    /// <summary>CORRUPT_MESSAGE (2): A record batch failed its CRC check, exceeds the valid size, or is otherwise corrupt.</summary>
    CorruptMessage = 2,
    /// <summary>UNKNOWN_TOPIC_OR_PARTITION (3): This broker does not host the topic or partition.</summary>
    UnknownTopicOrPartition = 3,
    /// <summary>INVALID_FETCH_SIZE (4): The requested fetch size is invalid.</summary>
    InvalidFetchSize = 4,
    /// <summary>LEADER_NOT_AVAILABLE (5): The partition has no leader right now (an election is in progress).</summary>
    LeaderNotAvailable = 5,
    /// <summary>NOT_LEADER_OR_FOLLOWER (6): This broker is not the leader (or a replica) of the partition.</summary>
    NotLeaderOrFollower = 6,
    /// <summary>REQUEST_TIMED_OUT (7): The request timed out.</summary>
    RequestTimedOut = 7,
    /// <summary>BROKER_NOT_AVAILABLE (8): The broker is not available.</summary>
    BrokerNotAvailable = 8,
    /// <summary>REPLICA_NOT_AVAILABLE (9): The replica is not available for the partition.</summary>
    ReplicaNotAvailable = 9,
    /// <summary>MESSAGE_TOO_LARGE (10): The request carried a record batch larger than the broker accepts.</summary>
    MessageTooLarge = 10,
    /// <summary>STALE_CONTROLLER_EPOCH (11): The controller moved to another broker.</summary>
    StaleControllerEpoch = 11,
    /// <summary>OFFSET_METADATA_TOO_LARGE (12): The metadata of an offset commit was too large.</summary>
    OffsetMetadataTooLarge = 12,
    /// <summary>NETWORK_EXCEPTION (13): The connection closed before a response arrived.</summary>
    NetworkException = 13,
    /// <summary>COORDINATOR_LOAD_IN_PROGRESS (14): The coordinator is still loading its state.</summary>
    CoordinatorLoadInProgress = 14,
    /// <summary>COORDINATOR_NOT_AVAILABLE (15): The coordinator is not available.</summary>
    CoordinatorNotAvailable = 15,
    /// <summary>NOT_COORDINATOR (16): This broker is not the coordinator for the group or transaction.</summary>
    NotCoordinator = 16,
    /// <summary>INVALID_TOPIC_EXCEPTION (17): The topic name or operation on it is invalid.</summary>
    InvalidTopicException = 17,
    /// <summary>RECORD_LIST_TOO_LARGE (18): The record batch is larger than the segment size.</summary>
    RecordListTooLarge = 18,
    /// <summary>NOT_ENOUGH_REPLICAS (19): Fewer in-sync replicas than required.</summary>
    NotEnoughReplicas = 19,
    /// <summary>NOT_ENOUGH_REPLICAS_AFTER_APPEND (20): Written, but to fewer in-sync replicas than required.</summary>
    NotEnoughReplicasAfterAppend = 20,
    /// <summary>INVALID_REQUIRED_ACKS (21): The produce request used an invalid acks value.</summary>
    InvalidRequiredAcks = 21,
    /// <summary>ILLEGAL_GENERATION (22): The group generation id is not valid.</summary>
    IllegalGeneration = 22,
    /// <summary>INCONSISTENT_GROUP_PROTOCOL (23): The member's protocols do not match the group's.</summary>
    InconsistentGroupProtocol = 23,
    /// <summary>INVALID_GROUP_ID (24): The group id is invalid.</summary>
    InvalidGroupId = 24,
    /// <summary>UNKNOWN_MEMBER_ID (25): The coordinator does not know this member.</summary>
    UnknownMemberId = 25,
    /// <summary>INVALID_SESSION_TIMEOUT (26): The session timeout is outside the broker's allowed range.</summary>
    InvalidSessionTimeout = 26,
    /// <summary>REBALANCE_IN_PROGRESS (27): The group is rebalancing; the member must rejoin.</summary>
    RebalanceInProgress = 27,
    /// <summary>INVALID_COMMIT_OFFSET_SIZE (28): The committed offset data size is invalid.</summary>
    InvalidCommitOffsetSize = 28,
    /// <summary>TOPIC_AUTHORIZATION_FAILED (29): Not authorized to access the topic.</summary>
    TopicAuthorizationFailed = 29,
    /// <summary>GROUP_AUTHORIZATION_FAILED (30): Not authorized to access the group.</summary>
    GroupAuthorizationFailed = 30,
    /// <summary>CLUSTER_AUTHORIZATION_FAILED (31): Not authorized for the cluster operation.</summary>
    ClusterAuthorizationFailed = 31,
    /// <summary>INVALID_TIMESTAMP (32): The record timestamp is outside the acceptable range.</summary>
    InvalidTimestamp = 32,
    /// <summary>UNSUPPORTED_SASL_MECHANISM (33): The broker does not support the SASL mechanism.</summary>
    UnsupportedSaslMechanism = 33,
    /// <summary>ILLEGAL_SASL_STATE (34): The request is not valid in the current SASL state.</summary>
    IllegalSaslState = 34,
    /// <summary>UNSUPPORTED_VERSION (35): The API version is not supported.</summary>
    UnsupportedVersion = 35,
    /// <summary>TOPIC_ALREADY_EXISTS (36): A topic with this name already exists.</summary>
    TopicAlreadyExists = 36,
    /// <summary>INVALID_PARTITIONS (37): The number of partitions is invalid.</summary>
    InvalidPartitions = 37,
    /// <summary>INVALID_REPLICATION_FACTOR (38): The replication factor is invalid.</summary>
    InvalidReplicationFactor = 38,
    /// <summary>INVALID_REPLICA_ASSIGNMENT (39): The replica assignment is invalid.</summary>
    InvalidReplicaAssignment = 39,
    /// <summary>INVALID_CONFIG (40): The configuration is invalid.</summary>
    InvalidConfig = 40,
    /// <summary>NOT_CONTROLLER (41): This broker is not the controller.</summary>
    NotController = 41,
    /// <summary>INVALID_REQUEST (42): The request is malformed or not valid for this broker.</summary>
    InvalidRequest = 42,
    /// <summary>UNSUPPORTED_FOR_MESSAGE_FORMAT (43): The message format does not support the request.</summary>
    UnsupportedForMessageFormat = 43,
    /// <summary>POLICY_VIOLATION (44): The request violates a configured policy.</summary>
    PolicyViolation = 44,
    /// <summary>OUT_OF_ORDER_SEQUENCE_NUMBER (45): The broker received an out-of-order sequence number.</summary>
    OutOfOrderSequenceNumber = 45,
    /// <summary>DUPLICATE_SEQUENCE_NUMBER (46): The broker received a duplicate sequence number.</summary>
    DuplicateSequenceNumber = 46,
    /// <summary>INVALID_PRODUCER_EPOCH (47): The producer used an old epoch.</summary>
    InvalidProducerEpoch = 47,
    /// <summary>INVALID_TXN_STATE (48): The transactional operation is invalid in the current state.</summary>
    InvalidTxnState = 48,
    /// <summary>INVALID_PRODUCER_ID_MAPPING (49): The producer id is not assigned to this transactional id.</summary>
    InvalidProducerIdMapping = 49,
    /// <summary>INVALID_TRANSACTION_TIMEOUT (50): The transaction timeout exceeds the broker's maximum.</summary>
    InvalidTransactionTimeout = 50,
    /// <summary>CONCURRENT_TRANSACTIONS (51): Another operation on the same transaction is in progress.</summary>
    ConcurrentTransactions = 51,
    /// <summary>TRANSACTION_COORDINATOR_FENCED (52): The transaction coordinator is no longer current.</summary>
    TransactionCoordinatorFenced = 52,
    /// <summary>TRANSACTIONAL_ID_AUTHORIZATION_FAILED (53): Not authorized for the transactional id.</summary>
    TransactionalIdAuthorizationFailed = 53,
    /// <summary>SECURITY_DISABLED (54): Security features are disabled.</summary>
    SecurityDisabled = 54,
    /// <summary>OPERATION_NOT_ATTEMPTED (55): The broker did not attempt the operation.</summary>
    OperationNotAttempted = 55,
    /// <summary>KAFKA_STORAGE_ERROR (56): A disk error occurred while accessing the log.</summary>
    KafkaStorageError = 56,
    /// <summary>LOG_DIR_NOT_FOUND (57): The log directory was not found.</summary>
    LogDirNotFound = 57,
    /// <summary>SASL_AUTHENTICATION_FAILED (58): SASL authentication failed.</summary>
    SaslAuthenticationFailed = 58,
    /// <summary>UNKNOWN_PRODUCER_ID (59): The broker has no state for this producer id.</summary>
    UnknownProducerId = 59,
    /// <summary>REASSIGNMENT_IN_PROGRESS (60): A partition reassignment is in progress.</summary>
    ReassignmentInProgress = 60,
    /// <summary>DELEGATION_TOKEN_AUTH_DISABLED (61): Delegation tokens are disabled.</summary>
    DelegationTokenAuthDisabled = 61,
    /// <summary>DELEGATION_TOKEN_NOT_FOUND (62): The delegation token was not found.</summary>
    DelegationTokenNotFound = 62,
    /// <summary>DELEGATION_TOKEN_OWNER_MISMATCH (63): The principal is not the token's owner or renewer.</summary>
    DelegationTokenOwnerMismatch = 63,
    /// <summary>DELEGATION_TOKEN_REQUEST_NOT_ALLOWED (64): Delegation token requests are not allowed on this channel.</summary>
    DelegationTokenRequestNotAllowed = 64,
    /// <summary>DELEGATION_TOKEN_AUTHORIZATION_FAILED (65): Delegation token authorization failed.</summary>
    DelegationTokenAuthorizationFailed = 65,
    /// <summary>DELEGATION_TOKEN_EXPIRED (66): The delegation token expired.</summary>
    DelegationTokenExpired = 66,
    /// <summary>INVALID_PRINCIPAL_TYPE (67): The principal type is not supported.</summary>
    InvalidPrincipalType = 67,
    /// <summary>NON_EMPTY_GROUP (68): The group is not empty.</summary>
    NonEmptyGroup = 68,
    /// <summary>GROUP_ID_NOT_FOUND (69): The group id does not exist.</summary>
    GroupIdNotFound = 69,
    /// <summary>FETCH_SESSION_ID_NOT_FOUND (70): The fetch session id was not found.</summary>
    FetchSessionIdNotFound = 70,
    /// <summary>INVALID_FETCH_SESSION_EPOCH (71): The fetch session epoch is invalid.</summary>
    InvalidFetchSessionEpoch = 71,
    /// <summary>LISTENER_NOT_FOUND (72): No listener on the leader matches the request's listener.</summary>
    ListenerNotFound = 72,
    /// <summary>TOPIC_DELETION_DISABLED (73): Topic deletion is disabled.</summary>
    TopicDeletionDisabled = 73,
    /// <summary>FENCED_LEADER_EPOCH (74): The request's leader epoch is older than the broker's.</summary>
    FencedLeaderEpoch = 74,
    /// <summary>UNKNOWN_LEADER_EPOCH (75): The request's leader epoch is newer than the broker's.</summary>
    UnknownLeaderEpoch = 75,
    /// <summary>UNSUPPORTED_COMPRESSION_TYPE (76): The compression type is not supported.</summary>
    UnsupportedCompressionType = 76,
    /// <summary>STALE_BROKER_EPOCH (77): The broker epoch changed.</summary>
    StaleBrokerEpoch = 77,
    /// <summary>OFFSET_NOT_AVAILABLE (78): The offset is not available yet.</summary>
    OffsetNotAvailable = 78,
    /// <summary>MEMBER_ID_REQUIRED (79): The member must rejoin with the member id the coordinator assigned.</summary>
    MemberIdRequired = 79,
    /// <summary>PREFERRED_LEADER_NOT_AVAILABLE (80): The preferred leader is not available.</summary>
    PreferredLeaderNotAvailable = 80,
    /// <summary>GROUP_MAX_SIZE_REACHED (81): The group reached its maximum size.</summary>
    GroupMaxSizeReached = 81,
    /// <summary>FENCED_INSTANCE_ID (82): Another member with the same group.instance.id replaced this one.</summary>
    FencedInstanceId = 82,
    /// <summary>ELIGIBLE_LEADERS_NOT_AVAILABLE (83): No eligible leader is available.</summary>
    EligibleLeadersNotAvailable = 83,
    /// <summary>ELECTION_NOT_NEEDED (84): No leader election is needed.</summary>
    ElectionNotNeeded = 84,
    /// <summary>NO_REASSIGNMENT_IN_PROGRESS (85): No partition reassignment is in progress.</summary>
    NoReassignmentInProgress = 85,
    /// <summary>GROUP_SUBSCRIBED_TO_TOPIC (86): The group is subscribed to the topic, so its offsets cannot be deleted.</summary>
    GroupSubscribedToTopic = 86,
    /// <summary>INVALID_RECORD (87): The broker rejected a record that failed validation.</summary>
    InvalidRecord = 87,
    /// <summary>UNSTABLE_OFFSET_COMMIT (88): There are pending transactional offsets.</summary>
    UnstableOffsetCommit = 88,
    /// <summary>THROTTLING_QUOTA_EXCEEDED (89): The throttling quota was exceeded.</summary>
    ThrottlingQuotaExceeded = 89,
    /// <summary>PRODUCER_FENCED (90): A newer producer with the same transactional id fenced this one.</summary>
    ProducerFenced = 90,
    /// <summary>RESOURCE_NOT_FOUND (91): The resource does not exist.</summary>
    ResourceNotFound = 91,
    /// <summary>DUPLICATE_RESOURCE (92): The request named the same resource twice.</summary>
    DuplicateResource = 92,
    /// <summary>UNACCEPTABLE_CREDENTIAL (93): The credential does not meet the acceptance criteria.</summary>
    UnacceptableCredential = 93,
    /// <summary>INCONSISTENT_VOTER_SET (94): The voter set is inconsistent.</summary>
    InconsistentVoterSet = 94,
    /// <summary>INVALID_UPDATE_VERSION (95): The update version is invalid.</summary>
    InvalidUpdateVersion = 95,
    /// <summary>FEATURE_UPDATE_FAILED (96): Finalized features could not be updated.</summary>
    FeatureUpdateFailed = 96,
    /// <summary>PRINCIPAL_DESERIALIZATION_FAILURE (97): The request principal could not be deserialized.</summary>
    PrincipalDeserializationFailure = 97,
    /// <summary>SNAPSHOT_NOT_FOUND (98): The snapshot was not found.</summary>
    SnapshotNotFound = 98,
    /// <summary>POSITION_OUT_OF_RANGE (99): The snapshot position is out of range.</summary>
    PositionOutOfRange = 99,
    /// <summary>UNKNOWN_TOPIC_ID (100): This broker does not host the topic id.</summary>
    UnknownTopicId = 100,
    /// <summary>DUPLICATE_BROKER_REGISTRATION (101): The broker id is already registered.</summary>
    DuplicateBrokerRegistration = 101,
    /// <summary>BROKER_ID_NOT_REGISTERED (102): The broker id is not registered.</summary>
    BrokerIdNotRegistered = 102,
    /// <summary>INCONSISTENT_TOPIC_ID (103): The topic id does not match the log's topic id.</summary>
    InconsistentTopicId = 103,
    /// <summary>INCONSISTENT_CLUSTER_ID (104): The cluster id does not match.</summary>
    InconsistentClusterId = 104,
    /// <summary>TRANSACTIONAL_ID_NOT_FOUND (105): The transactional id was not found.</summary>
    TransactionalIdNotFound = 105,
    /// <summary>FETCH_SESSION_TOPIC_ID_ERROR (106): The fetch session saw inconsistent topic ids.</summary>
    FetchSessionTopicIdError = 106,
    /// <summary>INELIGIBLE_REPLICA (107): The replica is not eligible for the ISR.</summary>
    IneligibleReplica = 107,
    /// <summary>NEW_LEADER_ELECTED (108): A new leader was elected.</summary>
    NewLeaderElected = 108,
    /// <summary>OFFSET_MOVED_TO_TIERED_STORAGE (109): The offset moved to tiered storage.</summary>
    OffsetMovedToTieredStorage = 109,
    /// <summary>FENCED_MEMBER_EPOCH (110): The member epoch is fenced.</summary>
    FencedMemberEpoch = 110,
    /// <summary>UNRELEASED_INSTANCE_ID (111): The instance id is still in use by another member.</summary>
    UnreleasedInstanceId = 111,
    /// <summary>UNSUPPORTED_ASSIGNOR (112): The assignor is not supported by the group.</summary>
    UnsupportedAssignor = 112,
    /// <summary>STALE_MEMBER_EPOCH (113): The member epoch is stale.</summary>
    StaleMemberEpoch = 113,
    /// <summary>MISMATCHED_ENDPOINT_TYPE (114): The request was sent to an endpoint of the wrong type.</summary>
    MismatchedEndpointType = 114,
    /// <summary>UNSUPPORTED_ENDPOINT_TYPE (115): The endpoint type does not support the request.</summary>
    UnsupportedEndpointType = 115,
    /// <summary>UNKNOWN_CONTROLLER_ID (116): The controller id is unknown.</summary>
    UnknownControllerId = 116,
    /// <summary>UNKNOWN_SUBSCRIPTION_ID (117): The client telemetry subscription id is unknown.</summary>
    UnknownSubscriptionId = 117,
    /// <summary>TELEMETRY_TOO_LARGE (118): The client telemetry payload is too large.</summary>
    TelemetryTooLarge = 118,
    /// <summary>INVALID_REGISTRATION (119): The controller rejected the broker registration.</summary>
    InvalidRegistration = 119,
    /// <summary>TRANSACTION_ABORTABLE (120): The transaction must be aborted by the producer.</summary>
    TransactionAbortable = 120,
}

/// <summary>What Kafka says about an error code: its wire name, whether a retry can succeed, and what it means.</summary>
/// <param name="Name">The upper-case name Kafka uses, e.g. <c>NOT_LEADER_OR_FOLLOWER</c>.</param>
/// <param name="IsRetriable">Whether the same request may succeed if retried (Kafka's <c>RetriableException</c>).</param>
/// <param name="Description">A short explanation for people.</param>
public readonly record struct ErrorInfo(string Name, bool IsRetriable, string Description);

/// <summary>Lookups over <see cref="ErrorCode"/>.</summary>
public static class ErrorCodes
{
    /// <summary>Returns Kafka's name, retriability and meaning of a code; unknown codes are described as such.</summary>
    /// <example><code>ErrorCode.NotCoordinator.Info().IsRetriable // true</code></example>
    public static ErrorInfo Info(this ErrorCode code) => code switch
    {
        ErrorCode.UnknownServerError => new("UNKNOWN_SERVER_ERROR", false, "The server hit an unexpected error while processing the request."),
        ErrorCode.None => new("NONE", false, "No error."),
        ErrorCode.OffsetOutOfRange => new("OFFSET_OUT_OF_RANGE", false, "The requested offset is outside the range the partition holds."),
        ErrorCode.CorruptMessage => new("CORRUPT_MESSAGE", true, "A record batch failed its CRC check, exceeds the valid size, or is otherwise corrupt."),
        ErrorCode.UnknownTopicOrPartition => new("UNKNOWN_TOPIC_OR_PARTITION", true, "This broker does not host the topic or partition."),
        ErrorCode.InvalidFetchSize => new("INVALID_FETCH_SIZE", false, "The requested fetch size is invalid."),
        ErrorCode.LeaderNotAvailable => new("LEADER_NOT_AVAILABLE", true, "The partition has no leader right now (an election is in progress)."),
        ErrorCode.NotLeaderOrFollower => new("NOT_LEADER_OR_FOLLOWER", true, "This broker is not the leader (or a replica) of the partition."),
        ErrorCode.RequestTimedOut => new("REQUEST_TIMED_OUT", true, "The request timed out."),
        ErrorCode.BrokerNotAvailable => new("BROKER_NOT_AVAILABLE", true, "The broker is not available."),
        ErrorCode.ReplicaNotAvailable => new("REPLICA_NOT_AVAILABLE", true, "The replica is not available for the partition."),
        ErrorCode.MessageTooLarge => new("MESSAGE_TOO_LARGE", false, "The request carried a record batch larger than the broker accepts."),
        ErrorCode.StaleControllerEpoch => new("STALE_CONTROLLER_EPOCH", false, "The controller moved to another broker."),
        ErrorCode.OffsetMetadataTooLarge => new("OFFSET_METADATA_TOO_LARGE", false, "The metadata of an offset commit was too large."),
        ErrorCode.NetworkException => new("NETWORK_EXCEPTION", true, "The connection closed before a response arrived."),
        ErrorCode.CoordinatorLoadInProgress => new("COORDINATOR_LOAD_IN_PROGRESS", true, "The coordinator is still loading its state."),
        ErrorCode.CoordinatorNotAvailable => new("COORDINATOR_NOT_AVAILABLE", true, "The coordinator is not available."),
        ErrorCode.NotCoordinator => new("NOT_COORDINATOR", true, "This broker is not the coordinator for the group or transaction."),
        ErrorCode.InvalidTopicException => new("INVALID_TOPIC_EXCEPTION", false, "The topic name or operation on it is invalid."),
        ErrorCode.RecordListTooLarge => new("RECORD_LIST_TOO_LARGE", false, "The record batch is larger than the segment size."),
        ErrorCode.NotEnoughReplicas => new("NOT_ENOUGH_REPLICAS", true, "Fewer in-sync replicas than required."),
        ErrorCode.NotEnoughReplicasAfterAppend => new("NOT_ENOUGH_REPLICAS_AFTER_APPEND", true, "Written, but to fewer in-sync replicas than required."),
        ErrorCode.InvalidRequiredAcks => new("INVALID_REQUIRED_ACKS", false, "The produce request used an invalid acks value."),
        ErrorCode.IllegalGeneration => new("ILLEGAL_GENERATION", false, "The group generation id is not valid."),
        ErrorCode.InconsistentGroupProtocol => new("INCONSISTENT_GROUP_PROTOCOL", false, "The member's protocols do not match the group's."),
        ErrorCode.InvalidGroupId => new("INVALID_GROUP_ID", false, "The group id is invalid."),
        ErrorCode.UnknownMemberId => new("UNKNOWN_MEMBER_ID", false, "The coordinator does not know this member."),
        ErrorCode.InvalidSessionTimeout => new("INVALID_SESSION_TIMEOUT", false, "The session timeout is outside the broker's allowed range."),
        ErrorCode.RebalanceInProgress => new("REBALANCE_IN_PROGRESS", false, "The group is rebalancing; the member must rejoin."),
        ErrorCode.InvalidCommitOffsetSize => new("INVALID_COMMIT_OFFSET_SIZE", false, "The committed offset data size is invalid."),
        ErrorCode.TopicAuthorizationFailed => new("TOPIC_AUTHORIZATION_FAILED", false, "Not authorized to access the topic."),
        ErrorCode.GroupAuthorizationFailed => new("GROUP_AUTHORIZATION_FAILED", false, "Not authorized to access the group."),
        ErrorCode.ClusterAuthorizationFailed => new("CLUSTER_AUTHORIZATION_FAILED", false, "Not authorized for the cluster operation."),
        ErrorCode.InvalidTimestamp => new("INVALID_TIMESTAMP", false, "The record timestamp is outside the acceptable range."),
        ErrorCode.UnsupportedSaslMechanism => new("UNSUPPORTED_SASL_MECHANISM", false, "The broker does not support the SASL mechanism."),
        ErrorCode.IllegalSaslState => new("ILLEGAL_SASL_STATE", false, "The request is not valid in the current SASL state."),
        ErrorCode.UnsupportedVersion => new("UNSUPPORTED_VERSION", false, "The API version is not supported."),
        ErrorCode.TopicAlreadyExists => new("TOPIC_ALREADY_EXISTS", false, "A topic with this name already exists."),
        ErrorCode.InvalidPartitions => new("INVALID_PARTITIONS", false, "The number of partitions is invalid."),
        ErrorCode.InvalidReplicationFactor => new("INVALID_REPLICATION_FACTOR", false, "The replication factor is invalid."),
        ErrorCode.InvalidReplicaAssignment => new("INVALID_REPLICA_ASSIGNMENT", false, "The replica assignment is invalid."),
        ErrorCode.InvalidConfig => new("INVALID_CONFIG", false, "The configuration is invalid."),
        ErrorCode.NotController => new("NOT_CONTROLLER", true, "This broker is not the controller."),
        ErrorCode.InvalidRequest => new("INVALID_REQUEST", false, "The request is malformed or not valid for this broker."),
        ErrorCode.UnsupportedForMessageFormat => new("UNSUPPORTED_FOR_MESSAGE_FORMAT", false, "The message format does not support the request."),
        ErrorCode.PolicyViolation => new("POLICY_VIOLATION", false, "The request violates a configured policy."),
        ErrorCode.OutOfOrderSequenceNumber => new("OUT_OF_ORDER_SEQUENCE_NUMBER", false, "The broker received an out-of-order sequence number."),
        ErrorCode.DuplicateSequenceNumber => new("DUPLICATE_SEQUENCE_NUMBER", false, "The broker received a duplicate sequence number."),
        ErrorCode.InvalidProducerEpoch => new("INVALID_PRODUCER_EPOCH", false, "The producer used an old epoch."),
        ErrorCode.InvalidTxnState => new("INVALID_TXN_STATE", false, "The transactional operation is invalid in the current state."),
        ErrorCode.InvalidProducerIdMapping => new("INVALID_PRODUCER_ID_MAPPING", false, "The producer id is not assigned to this transactional id."),
        ErrorCode.InvalidTransactionTimeout => new("INVALID_TRANSACTION_TIMEOUT", false, "The transaction timeout exceeds the broker's maximum."),
        ErrorCode.ConcurrentTransactions => new("CONCURRENT_TRANSACTIONS", true, "Another operation on the same transaction is in progress."),
        ErrorCode.TransactionCoordinatorFenced => new("TRANSACTION_COORDINATOR_FENCED", false, "The transaction coordinator is no longer current."),
        ErrorCode.TransactionalIdAuthorizationFailed => new("TRANSACTIONAL_ID_AUTHORIZATION_FAILED", false, "Not authorized for the transactional id."),
        ErrorCode.SecurityDisabled => new("SECURITY_DISABLED", false, "Security features are disabled."),
        ErrorCode.OperationNotAttempted => new("OPERATION_NOT_ATTEMPTED", false, "The broker did not attempt the operation."),
        ErrorCode.KafkaStorageError => new("KAFKA_STORAGE_ERROR", true, "A disk error occurred while accessing the log."),
        ErrorCode.LogDirNotFound => new("LOG_DIR_NOT_FOUND", false, "The log directory was not found."),
        ErrorCode.SaslAuthenticationFailed => new("SASL_AUTHENTICATION_FAILED", false, "SASL authentication failed."),
        ErrorCode.UnknownProducerId => new("UNKNOWN_PRODUCER_ID", false, "The broker has no state for this producer id."),
        ErrorCode.ReassignmentInProgress => new("REASSIGNMENT_IN_PROGRESS", false, "A partition reassignment is in progress."),
        ErrorCode.DelegationTokenAuthDisabled => new("DELEGATION_TOKEN_AUTH_DISABLED", false, "Delegation tokens are disabled."),
        ErrorCode.DelegationTokenNotFound => new("DELEGATION_TOKEN_NOT_FOUND", false, "The delegation token was not found."),
        ErrorCode.DelegationTokenOwnerMismatch => new("DELEGATION_TOKEN_OWNER_MISMATCH", false, "The principal is not the token's owner or renewer."),
        ErrorCode.DelegationTokenRequestNotAllowed => new("DELEGATION_TOKEN_REQUEST_NOT_ALLOWED", false, "Delegation token requests are not allowed on this channel."),
        ErrorCode.DelegationTokenAuthorizationFailed => new("DELEGATION_TOKEN_AUTHORIZATION_FAILED", false, "Delegation token authorization failed."),
        ErrorCode.DelegationTokenExpired => new("DELEGATION_TOKEN_EXPIRED", false, "The delegation token expired."),
        ErrorCode.InvalidPrincipalType => new("INVALID_PRINCIPAL_TYPE", false, "The principal type is not supported."),
        ErrorCode.NonEmptyGroup => new("NON_EMPTY_GROUP", false, "The group is not empty."),
        ErrorCode.GroupIdNotFound => new("GROUP_ID_NOT_FOUND", false, "The group id does not exist."),
        ErrorCode.FetchSessionIdNotFound => new("FETCH_SESSION_ID_NOT_FOUND", true, "The fetch session id was not found."),
        ErrorCode.InvalidFetchSessionEpoch => new("INVALID_FETCH_SESSION_EPOCH", true, "The fetch session epoch is invalid."),
        ErrorCode.ListenerNotFound => new("LISTENER_NOT_FOUND", true, "No listener on the leader matches the request's listener."),
        ErrorCode.TopicDeletionDisabled => new("TOPIC_DELETION_DISABLED", false, "Topic deletion is disabled."),
        ErrorCode.FencedLeaderEpoch => new("FENCED_LEADER_EPOCH", true, "The request's leader epoch is older than the broker's."),
        ErrorCode.UnknownLeaderEpoch => new("UNKNOWN_LEADER_EPOCH", true, "The request's leader epoch is newer than the broker's."),
        ErrorCode.UnsupportedCompressionType => new("UNSUPPORTED_COMPRESSION_TYPE", false, "The compression type is not supported."),
        ErrorCode.StaleBrokerEpoch => new("STALE_BROKER_EPOCH", false, "The broker epoch changed."),
        ErrorCode.OffsetNotAvailable => new("OFFSET_NOT_AVAILABLE", true, "The offset is not available yet."),
        ErrorCode.MemberIdRequired => new("MEMBER_ID_REQUIRED", false, "The member must rejoin with the member id the coordinator assigned."),
        ErrorCode.PreferredLeaderNotAvailable => new("PREFERRED_LEADER_NOT_AVAILABLE", true, "The preferred leader is not available."),
        ErrorCode.GroupMaxSizeReached => new("GROUP_MAX_SIZE_REACHED", false, "The group reached its maximum size."),
        ErrorCode.FencedInstanceId => new("FENCED_INSTANCE_ID", false, "Another member with the same group.instance.id replaced this one."),
        ErrorCode.EligibleLeadersNotAvailable => new("ELIGIBLE_LEADERS_NOT_AVAILABLE", true, "No eligible leader is available."),
        ErrorCode.ElectionNotNeeded => new("ELECTION_NOT_NEEDED", true, "No leader election is needed."),
        ErrorCode.NoReassignmentInProgress => new("NO_REASSIGNMENT_IN_PROGRESS", false, "No partition reassignment is in progress."),
        ErrorCode.GroupSubscribedToTopic => new("GROUP_SUBSCRIBED_TO_TOPIC", false, "The group is subscribed to the topic, so its offsets cannot be deleted."),
        ErrorCode.InvalidRecord => new("INVALID_RECORD", false, "The broker rejected a record that failed validation."),
        ErrorCode.UnstableOffsetCommit => new("UNSTABLE_OFFSET_COMMIT", true, "There are pending transactional offsets."),
        ErrorCode.ThrottlingQuotaExceeded => new("THROTTLING_QUOTA_EXCEEDED", true, "The throttling quota was exceeded."),
        ErrorCode.ProducerFenced => new("PRODUCER_FENCED", false, "A newer producer with the same transactional id fenced this one."),
        ErrorCode.ResourceNotFound => new("RESOURCE_NOT_FOUND", false, "The resource does not exist."),
        ErrorCode.DuplicateResource => new("DUPLICATE_RESOURCE", false, "The request named the same resource twice."),
        ErrorCode.UnacceptableCredential => new("UNACCEPTABLE_CREDENTIAL", false, "The credential does not meet the acceptance criteria."),
        ErrorCode.InconsistentVoterSet => new("INCONSISTENT_VOTER_SET", false, "The voter set is inconsistent."),
        ErrorCode.InvalidUpdateVersion => new("INVALID_UPDATE_VERSION", false, "The update version is invalid."),
        ErrorCode.FeatureUpdateFailed => new("FEATURE_UPDATE_FAILED", false, "Finalized features could not be updated."),
        ErrorCode.PrincipalDeserializationFailure => new("PRINCIPAL_DESERIALIZATION_FAILURE", false, "The request principal could not be deserialized."),
        ErrorCode.SnapshotNotFound => new("SNAPSHOT_NOT_FOUND", false, "The snapshot was not found."),
        ErrorCode.PositionOutOfRange => new("POSITION_OUT_OF_RANGE", false, "The snapshot position is out of range."),
        ErrorCode.UnknownTopicId => new("UNKNOWN_TOPIC_ID", true, "This broker does not host the topic id."),
        ErrorCode.DuplicateBrokerRegistration => new("DUPLICATE_BROKER_REGISTRATION", false, "The broker id is already registered."),
        ErrorCode.BrokerIdNotRegistered => new("BROKER_ID_NOT_REGISTERED", false, "The broker id is not registered."),
        ErrorCode.InconsistentTopicId => new("INCONSISTENT_TOPIC_ID", true, "The topic id does not match the log's topic id."),
        ErrorCode.InconsistentClusterId => new("INCONSISTENT_CLUSTER_ID", false, "The cluster id does not match."),
        ErrorCode.TransactionalIdNotFound => new("TRANSACTIONAL_ID_NOT_FOUND", false, "The transactional id was not found."),
        ErrorCode.FetchSessionTopicIdError => new("FETCH_SESSION_TOPIC_ID_ERROR", true, "The fetch session saw inconsistent topic ids."),
        ErrorCode.IneligibleReplica => new("INELIGIBLE_REPLICA", false, "The replica is not eligible for the ISR."),
        ErrorCode.NewLeaderElected => new("NEW_LEADER_ELECTED", false, "A new leader was elected."),
        ErrorCode.OffsetMovedToTieredStorage => new("OFFSET_MOVED_TO_TIERED_STORAGE", false, "The offset moved to tiered storage."),
        ErrorCode.FencedMemberEpoch => new("FENCED_MEMBER_EPOCH", false, "The member epoch is fenced."),
        ErrorCode.UnreleasedInstanceId => new("UNRELEASED_INSTANCE_ID", false, "The instance id is still in use by another member."),
        ErrorCode.UnsupportedAssignor => new("UNSUPPORTED_ASSIGNOR", false, "The assignor is not supported by the group."),
        ErrorCode.StaleMemberEpoch => new("STALE_MEMBER_EPOCH", false, "The member epoch is stale."),
        ErrorCode.MismatchedEndpointType => new("MISMATCHED_ENDPOINT_TYPE", false, "The request was sent to an endpoint of the wrong type."),
        ErrorCode.UnsupportedEndpointType => new("UNSUPPORTED_ENDPOINT_TYPE", false, "The endpoint type does not support the request."),
        ErrorCode.UnknownControllerId => new("UNKNOWN_CONTROLLER_ID", false, "The controller id is unknown."),
        ErrorCode.UnknownSubscriptionId => new("UNKNOWN_SUBSCRIPTION_ID", false, "The client telemetry subscription id is unknown."),
        ErrorCode.TelemetryTooLarge => new("TELEMETRY_TOO_LARGE", false, "The client telemetry payload is too large."),
        ErrorCode.InvalidRegistration => new("INVALID_REGISTRATION", false, "The controller rejected the broker registration."),
        ErrorCode.TransactionAbortable => new("TRANSACTION_ABORTABLE", false, "The transaction must be aborted by the producer."),
        _ => new($"UNKNOWN_ERROR_CODE_{(short)code}", false, $"Error code {(short)code} is not one Eddy knows."),
    };

    /// <summary>Whether Kafka treats the error as retriable.</summary>
    public static bool IsRetriable(this ErrorCode code) => code.Info().IsRetriable;

    /// <summary>A one-line description such as <c>NOT_COORDINATOR (16): This broker is not the coordinator ...</c>.</summary>
    public static string Describe(this ErrorCode code) => $"{code.Info().Name} ({(short)code}): {code.Info().Description}";
}
