"""The forum: programme (rooms and hours, tracks, sessions, speakers, stars, releases), registration, check-in

Revision ID: 0011_forum
Revises: 0010_invitations
Create Date: 2026-12-10 00:00:00

New tables: `room_hours`, `track`, `speaker_profile` (English bio and title, photo, availability),
`session_star`, `programme_release` (what each publication of a programme said, to notify exactly the
affected), `registration_category`, `session_registration`, `badge_key`, `check_in`. `agenda_session` gains
its track, stream link, language, industry, expected audience, capacity and the sequence/updated/cancelled
stamps calendar feeds follow; `room` its interpretation, floor and order; `session_speaker` its order. The
first schema's `registration` table, never written by any code, is replaced by the new one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from duijie.core.db import UTCDateTime, utcnow

revision = "0011_forum"
down_revision = "0010_invitations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('badge_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('public_key', sa.Text(), nullable=False),
    sa.Column('private_key', sa.Text(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('retired_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_badge_key_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_badge_key')),
    sa.UniqueConstraint('key_id', name=op.f('uq_badge_key_key_id'))
    )
    with op.batch_alter_table('badge_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badge_key_event_id'), ['event_id'], unique=False)

    op.create_table('registration_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name_zh', sa.String(length=80), nullable=False),
    sa.Column('name_en', sa.String(length=80), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('requires_approval', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('is_public', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('claim_hours', sa.Integer(), server_default='48', nullable=False),
    sa.Column('opens_at', UTCDateTime(), nullable=True),
    sa.Column('closes_at', UTCDateTime(), nullable=True),
    sa.Column('position', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_registration_category_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_category')),
    sa.UniqueConstraint('event_id', 'code', name=op.f('uq_registration_category_event_id_code'))
    )
    with op.batch_alter_table('registration_category', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_category_event_id'), ['event_id'], unique=False)

    # The registration table of the first schema was never written by any code: replaced, not altered.
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_event_id')
    op.drop_table('registration')
    op.create_table('registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=True),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('organisation', sa.String(length=200), nullable=True),
    sa.Column('job_title', sa.String(length=120), nullable=True),
    sa.Column('country', sa.String(length=80), nullable=True),
    sa.Column('locale', sa.String(length=10), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('offered_until', UTCDateTime(), nullable=True),
    sa.Column('consent_at', UTCDateTime(), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.Column('badge_nonce', sa.String(length=32), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_registration_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['category_id'], ['registration_category.id'], name=op.f('fk_registration_category_id_registration_category'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_registration_account_id_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration')),
    sa.UniqueConstraint('badge_nonce', name=op.f('uq_registration_badge_nonce'))
    )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.create_index('ix_registration_event_id', ['event_id'], unique=False)
        batch_op.create_index('ix_registration_account_id', ['account_id'], unique=False)
        batch_op.create_index('ix_registration_email', ['email'], unique=False)
        batch_op.create_index('ix_registration_event_state', ['event_id', 'state'], unique=False)
        batch_op.create_index('ix_registration_category_state', ['category_id', 'state'], unique=False)

    op.create_table('track',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name_zh', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=True),
    sa.Column('position', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_track_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_track')),
    sa.UniqueConstraint('event_id', 'name_zh', name=op.f('uq_track_event_id_name_zh'))
    )
    with op.batch_alter_table('track', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_track_event_id'), ['event_id'], unique=False)

    op.create_table('room_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', UTCDateTime(), nullable=False),
    sa.Column('ends_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], name=op.f('fk_room_hours_room_id_room'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_room_hours'))
    )
    with op.batch_alter_table('room_hours', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_hours_room_id'), ['room_id'], unique=False)

    op.create_table('speaker_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('title_zh', sa.String(length=200), nullable=True),
    sa.Column('title_en', sa.String(length=200), nullable=True),
    sa.Column('bio_zh', sa.Text(), nullable=True),
    sa.Column('bio_en', sa.Text(), nullable=True),
    sa.Column('photo', sa.String(length=300), nullable=True),
    sa.Column('available', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_speaker_profile_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_speaker_profile_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_speaker_profile')),
    sa.UniqueConstraint('event_id', 'person_id', name=op.f('uq_speaker_profile_event_id_person_id'))
    )
    with op.batch_alter_table('speaker_profile', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_speaker_profile_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_speaker_profile_person_id'), ['person_id'], unique=False)

    op.create_table('programme_release',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('published_at', UTCDateTime(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_programme_release_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['account.id'], name=op.f('fk_programme_release_published_by_id_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_release')),
    sa.UniqueConstraint('event_id', 'number', name=op.f('uq_programme_release_event_id_number'))
    )
    with op.batch_alter_table('programme_release', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_release_event_id'), ['event_id'], unique=False)

    op.create_table('session_star',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_session_star_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['agenda_session.id'], name=op.f('fk_session_star_session_id_agenda_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_star')),
    sa.UniqueConstraint('account_id', 'session_id', name=op.f('uq_session_star_account_id_session_id'))
    )
    with op.batch_alter_table('session_star', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_star_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_session_star_session_id'), ['session_id'], unique=False)

    op.create_table('check_in',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('device', sa.String(length=80), nullable=False),
    sa.Column('gate', sa.String(length=80), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('scanned_at', UTCDateTime(), nullable=False),
    sa.Column('received_at', UTCDateTime(), nullable=False),
    sa.Column('admitted', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=True),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('checked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['checked_by_id'], ['account.id'], name=op.f('fk_check_in_checked_by_id_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['check_in.id'], name=op.f('fk_check_in_duplicate_of_id_check_in'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_check_in_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_check_in_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_in')),
    sa.UniqueConstraint('client_id', name=op.f('uq_check_in_client_id'))
    )
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.create_index('ix_check_in_event_day', ['event_id', 'day'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_in_registration_id'), ['registration_id'], unique=False)

    op.create_table('session_registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('offered_until', UTCDateTime(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_session_registration_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['agenda_session.id'], name=op.f('fk_session_registration_session_id_agenda_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_registration')),
    sa.UniqueConstraint('session_id', 'registration_id', name=op.f('uq_session_registration_session_id_registration_id'))
    )
    with op.batch_alter_table('session_registration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_registration_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index('ix_session_registration_session_state', ['session_id', 'state'], unique=False)

    with op.batch_alter_table('agenda_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('track_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('stream_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('language', sa.String(length=10), server_default='zh', nullable=False))
        batch_op.add_column(sa.Column('industry', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('expected', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('capacity', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sequence', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('created_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_at', UTCDateTime(), nullable=True))
        batch_op.create_index('ix_agenda_session_event_start', ['event_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_agenda_session_track_id'), ['track_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_agenda_session_track_id_track'), 'track', ['track_id'], ['id'], ondelete='SET NULL')
    # Sessions stored before this revision are stamped with the time of the upgrade (nothing older is known).
    op.execute(
        sa.text("UPDATE agenda_session SET created_at = :now, updated_at = :now").bindparams(
            sa.bindparam("now", utcnow(), type_=UTCDateTime())
        )
    )
    with op.batch_alter_table('agenda_session', schema=None) as batch_op:
        batch_op.alter_column('created_at', existing_type=UTCDateTime(), nullable=False)
        batch_op.alter_column('updated_at', existing_type=UTCDateTime(), nullable=False)

    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.add_column(sa.Column('interpretation', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('floor_zh', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('floor_en', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('position', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('session_speaker', schema=None) as batch_op:
        batch_op.add_column(sa.Column('position', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index(batch_op.f('ix_session_speaker_person_id'), ['person_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('session_speaker', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_speaker_person_id'))
        batch_op.drop_column('position')

    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.drop_column('position')
        batch_op.drop_column('floor_en')
        batch_op.drop_column('floor_zh')
        batch_op.drop_column('interpretation')

    with op.batch_alter_table('agenda_session', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_agenda_session_track_id_track'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_agenda_session_track_id'))
        batch_op.drop_index('ix_agenda_session_event_start')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('created_at')
        batch_op.drop_column('sequence')
        batch_op.drop_column('capacity')
        batch_op.drop_column('expected')
        batch_op.drop_column('industry')
        batch_op.drop_column('language')
        batch_op.drop_column('stream_url')
        batch_op.drop_column('track_id')

    with op.batch_alter_table('session_registration', schema=None) as batch_op:
        batch_op.drop_index('ix_session_registration_session_state')
        batch_op.drop_index(batch_op.f('ix_session_registration_registration_id'))

    op.drop_table('session_registration')
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_in_registration_id'))
        batch_op.drop_index('ix_check_in_event_day')

    op.drop_table('check_in')
    with op.batch_alter_table('session_star', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_star_session_id'))
        batch_op.drop_index(batch_op.f('ix_session_star_account_id'))

    op.drop_table('session_star')
    with op.batch_alter_table('programme_release', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_release_event_id'))

    op.drop_table('programme_release')
    with op.batch_alter_table('speaker_profile', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_speaker_profile_person_id'))
        batch_op.drop_index(batch_op.f('ix_speaker_profile_event_id'))

    op.drop_table('speaker_profile')
    with op.batch_alter_table('room_hours', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_room_hours_room_id'))

    op.drop_table('room_hours')
    with op.batch_alter_table('registration', schema=None) as batch_op:
        for name in ('ix_registration_category_state', 'ix_registration_event_state', 'ix_registration_email',
                     'ix_registration_account_id', 'ix_registration_event_id'):
            batch_op.drop_index(name)
    op.drop_table('registration')
    op.create_table('registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('badge_code', sa.String(length=40), nullable=False),
    sa.Column('registered_at', UTCDateTime(), nullable=False),
    sa.Column('checked_in_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_registration_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_registration_organisation_id_organisation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_registration_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration')),
    sa.UniqueConstraint('badge_code', name=op.f('uq_registration_badge_code')),
    sa.UniqueConstraint('event_id', 'person_id', name=op.f('uq_registration_event_id_person_id'))
    )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.create_index('ix_registration_event_id', ['event_id'], unique=False)

    with op.batch_alter_table('track', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_track_event_id'))

    op.drop_table('track')
    with op.batch_alter_table('registration_category', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_category_event_id'))

    op.drop_table('registration_category')
    with op.batch_alter_table('badge_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_badge_key_event_id'))

    op.drop_table('badge_key')
