"""Numbers of the ZFM / R30x / AS608 serial protocol: packet types, instructions, confirmations.

Pure (standard library only). Source: the ZhianTec ZFM-20 datasheet as summarised in
reference/devices.md section 1 (1.2 packet layout, 1.4 instruction set = datasheet section 6.4,
1.5 confirmation codes); R30x/R503 extensions from the Grow user manuals as restated by the
R30X-Fingerprint-Sensor-Library and Adafruit libraries (marked "R30x"/"R503" below).
"""

from __future__ import annotations

from enum import IntEnum, IntFlag


class PacketType(IntEnum):
    """The packet identifier (PID) byte (reference section 1.2)."""

    COMMAND = 0x01
    DATA = 0x02  # a data packet, more follow
    ACK = 0x07  # a reply: confirmation code first
    END_DATA = 0x08  # the last data packet


class Instruction(IntEnum):
    """Instruction codes, datasheet section 6.4 (R30x/R503 extensions marked)."""

    GEN_IMG = 0x01  # capture a finger image into the image buffer
    IMG2TZ = 0x02  # image buffer -> character file in char buffer 1 or 2
    MATCH = 0x03  # compare char buffers 1 and 2
    SEARCH = 0x04  # search the library for a char buffer
    REG_MODEL = 0x05  # merge char buffers 1 and 2 into a template
    STORE = 0x06  # char buffer -> library page
    LOAD_CHAR = 0x07  # library page -> char buffer
    UP_CHAR = 0x08  # char buffer -> host (data packets follow the reply)
    DOWN_CHAR = 0x09  # host -> char buffer (host sends data packets after the reply)
    UP_IMAGE = 0x0A  # image buffer -> host
    DOWN_IMAGE = 0x0B  # host -> image buffer
    DELETE_CHAR = 0x0C  # delete library pages
    EMPTY = 0x0D  # clear the whole library
    SET_SYS_PARA = 0x0E  # set a system parameter (baud, security level, packet size)
    READ_SYS_PARA = 0x0F  # read the 16-byte system parameter block
    SET_PWD = 0x12  # set the handshake password
    VFY_PWD = 0x13  # verify the handshake password
    GET_RANDOM_CODE = 0x14  # a 32-bit random number
    SET_ADDER = 0x15  # set the module address (the reply already uses the new one)
    PORT_CONTROL = 0x17  # R30x: enable or disable the communication port
    WRITE_NOTEPAD = 0x18  # R30x: write a 32-byte notepad page
    READ_NOTEPAD = 0x19  # R30x: read a 32-byte notepad page
    HIGH_SPEED_SEARCH = 0x1B  # R30x
    TEMPLETE_NUM = 0x1D  # number of stored templates (the datasheet's spelling)
    READ_CON_LIST = 0x1F  # index table page: 32-byte bitmap of used library slots
    AURA_LED_CONFIG = 0x35  # R503: ring LED control, mode/speed/colour/count
    SOFT_RESET = 0x3D  # R503


class Confirmation(IntEnum):
    """Confirmation codes, the first payload byte of a reply (reference section 1.5).

    ``FAKE_FINGER`` is not in any R30x datasheet: it is this project's code for a module
    with liveness detection (and the simulator's ``fake`` fault), mapped here so that the
    driver has one place to recognise it.
    """

    OK = 0x00
    PACKET_RECEIVE_ERROR = 0x01
    NO_FINGER = 0x02
    IMAGE_FAIL = 0x03  # failed to collect the finger image
    IMAGE_DISORDERLY = 0x04  # R30x: character file failed, image over-disorderly
    IMAGE_WET = 0x05  # R30x: character file failed, image over-wet
    IMAGE_MESSY = 0x06  # character file failed, image too messy
    FEATURE_FAIL = 0x07  # too few feature points / image too small (dry or light touch)
    NO_MATCH = 0x08  # Match: the two buffers differ
    NOT_FOUND = 0x09  # Search: no page matches
    ENROLL_MISMATCH = 0x0A  # RegModel: the two buffers are different fingers
    BAD_LOCATION = 0x0B  # page id beyond the library
    INVALID_TEMPLATE = 0x0C  # reading a template from the library failed / empty page
    UPLOAD_FEATURE_FAIL = 0x0D  # UpChar failed
    PACKET_RESPONSE_FAIL = 0x0E  # cannot receive the following data packets
    UPLOAD_IMAGE_FAIL = 0x0F  # UpImage failed
    DELETE_FAIL = 0x10
    CLEAR_FAIL = 0x11
    WRONG_PASSWORD = 0x13
    INVALID_IMAGE = 0x15  # no valid image in the image buffer
    FLASH_ERROR = 0x18  # flash read/write error
    UNDEFINED_ERROR = 0x19  # R30x
    INVALID_REGISTER = 0x1A  # bad system parameter number
    BAD_REGISTER_CONFIG = 0x1B  # R30x
    BAD_NOTEPAD_PAGE = 0x1C  # R30x
    PORT_FAIL = 0x1D  # R30x: communication port operation failed
    ADDRESS_ERROR = 0x20
    PASSWORD_REQUIRED = 0x21  # the password must be verified first
    SENSOR_ABNORMAL = 0x29  # R503 user manual: the sensor itself is faulty
    FAKE_FINGER = 0x60  # project extension, see the class docstring


class SystemStatus(IntFlag):
    """Bits of the status register, the first word of ReadSysPara (reference section 1.4)."""

    BUSY = 0x01
    PASS = 0x02  # the last search/match found the finger
    PASSWORD_VERIFIED = 0x04
    IMAGE_VALID = 0x08  # the image buffer holds a valid image


class SystemParameter(IntEnum):
    """Parameter numbers of SetSysPara, datasheet section 6.4 (0x0E)."""

    BAUD_MULTIPLIER = 4  # baud = 9600 x N, N = 1..12
    SECURITY_LEVEL = 5  # 1..5
    PACKET_SIZE = 6  # code 0..3 = 32/64/128/256 bytes


class AuraMode(IntEnum):
    """R503 ring LED control codes (AuraLedConfig, 0x35)."""

    BREATHING = 0x01
    FLASHING = 0x02
    ON = 0x03
    OFF = 0x04
    GRADUAL_ON = 0x05
    GRADUAL_OFF = 0x06


class AuraColour(IntEnum):
    """R503 ring LED colour indices."""

    RED = 0x01
    BLUE = 0x02
    PURPLE = 0x03
